"""``regwatch nlp train|evaluate`` and ``regwatch extract`` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawlers.cli.files import read_document_text
from obligations.errors import InputFileError
from tests.helpers.cli import jsonl, run_regwatch

NO_DATABASE = "sqlite://"
SCANNED_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>endobj\n"
    b"4 0 obj<</Length 0>>stream\n\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _labelled(path: Path, rows: list[tuple[str, str | None, list[str]]], lang: str) -> Path:
    lines = [
        json.dumps(
            {"text": t, "lang": lang, "normative": m is not None, "modality": m, "topics": topics},
            ensure_ascii=False,
        )
        for t, m, topics in rows
    ]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def test_evaluate_prints_and_writes_every_metric(tmp_path: Path) -> None:
    heldout = _labelled(
        tmp_path / "mini.jsonl",
        [
            ("Firms must preserve messages for three years.", "obligation", ["record_retention"]),
            ("Firms must not trade sanctioned tokens.", "prohibition", ["sanctions"]),
            ("Messaging apps became popular in 2020.", None, ["communications_archiving"]),
        ],
        "en",
    )
    report = tmp_path / "metrics.json"
    result = run_regwatch(
        ["nlp", "evaluate", str(heldout), "--json", str(report)], NO_DATABASE, tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "normative_f1=" in result.stdout and "topic:record_retention" in result.stdout
    metrics = json.loads(report.read_text("utf-8"))["en"]
    for key in ("normative_f1", "modality_accuracy", "topic_micro_f1", "modality", "topics"):
        assert key in metrics
    assert metrics["normative_f1"] == 1.0


def test_train_writes_a_loadable_model(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "zh").mkdir(parents=True)
    rows = [
        ("机构应当保存交易记录五年。", "obligation", ["record_retention"]),
        ("会员单位不得提供虚拟货币交易服务。", "prohibition", ["crypto_assets"]),
        ("鼓励机构加强网络安全培训。", "recommendation", ["cybersecurity"]),
        ("近年来虚拟货币交易炒作盛行。", None, ["crypto_assets"]),
    ] * 5
    _labelled(data / "zh" / "train-a.jsonl", rows, "zh")
    output = tmp_path / "model"
    train = run_regwatch(
        ["nlp", "train", "--data", str(data), "--output", str(output), "--lang", "zh",
         "--epochs", "3"],
        NO_DATABASE,
        tmp_path,
    )  # fmt: skip
    assert train.returncode == 0, train.stderr
    assert (output / "zh" / "config.cfg").is_file()
    heldout = _labelled(tmp_path / "h.jsonl", rows[:4], "zh")
    result = run_regwatch(
        ["nlp", "evaluate", str(heldout), "--model", str(output)], NO_DATABASE, tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "[zh]" in result.stdout


def test_extract_mixed_language_file(tmp_path: Path) -> None:
    document = tmp_path / "notice.txt"
    document.write_text(
        "FINRA reminds firms of their duties.\n"
        "Member firms must preserve instant messages for not less than three years.\n"
        "会员单位不得为NFT交易提供集中交易服务。\n",
        "utf-8",
    )
    rows = jsonl(
        run_regwatch(["extract", str(document), "--format", "jsonl"], NO_DATABASE, tmp_path)
    )
    text = document.read_text("utf-8")
    assert [row["modality"] for row in rows] == ["obligation", "prohibition"]
    for row in rows:
        assert set(row) >= {"text", "start", "end", "modality", "topics", "confidence", "entities"}
        assert set(row["topic_confidence"]) == set(row["topics"])
        assert text[row["start"] : row["end"]] == row["text"]
    assert rows[0]["entities"]["retention_period_days"] == 1095
    assert "crypto_assets" in rows[1]["topics"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "file is empty"),
        ("blob.bin", b"\x00\x01\x02\xff" * 64, "binary"),
        ("scan.pdf", SCANNED_PDF, "no extractable text"),
        ("blank.txt", b"   \n\n  ", "no text"),
    ],
)
def test_unusable_files_are_refused_with_one_line(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputFileError) as refused:
        read_document_text(path)
    assert message in str(refused.value) and str(path) in str(refused.value)
    assert "\n" not in str(refused.value)


def test_huge_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(60 * 1024 * 1024)  # sparse: no 60 MB written
    with pytest.raises(InputFileError, match="too large"):
        read_document_text(path)


def test_extract_bad_input_is_one_line_and_non_zero(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(SCANNED_PDF)
    result = run_regwatch(["extract", str(path)], NO_DATABASE, tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "no extractable text" in lines[0]
    assert "Traceback" not in result.stderr


def test_extract_unknown_language_option(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Firms must file.", "utf-8")
    result = run_regwatch(["extract", str(path), "--lang", "fr"], NO_DATABASE, tmp_path)
    assert result.returncode == 2 and "--lang" in result.stderr
