"""The control, mapping and gap commands, run as a user would run them."""

from __future__ import annotations

from pathlib import Path

from obligations import db
from tests.helpers.cli import jsonl, run_regwatch
from tests.helpers.obligations import add_obligation, add_source

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "controls" / "sample-controls.csv"


def _seed_obligation(database_url: str) -> int:
    with db.session_scope(database_url) as session:
        source = add_source(session, "ofac")
        obligation = add_obligation(
            session,
            source,
            "Firms must screen their customers against the sanctions lists every day.",
            ["sanctions"],
            owner="sanctions.owner",
        )
        return obligation.id


def test_controls_mapping_and_gaps_commands(tmp_path: Path) -> None:
    # One backend is enough here: the services under these commands run on both.
    database_url = f"sqlite:///{tmp_path / 'cli.db'}"
    db.upgrade_database(database_url)
    obligation_id = _seed_obligation(database_url)
    imported = run_regwatch(["controls", "import", str(SAMPLE)], database_url, tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert "50 created" in imported.stdout

    bad = tmp_path / "bad.csv"
    bad.write_text("id,title,topics\nX-1,One,sanctions\nX-1,Two,sanctions\n")
    refused = run_regwatch(["controls", "import", str(bad)], database_url, tmp_path)
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        f"regwatch: error: {bad}: row 3, column 'id': duplicate id 'X-1' (first at row 2)"
    )

    suggested = jsonl(
        run_regwatch(
            ["obligations", "suggest", str(obligation_id), "--format", "jsonl"],
            database_url,
            tmp_path,
        )
    )
    assert suggested[0]["control_id"] == "SAN-01" and suggested[0]["rank"] == 1
    assert len(suggested) == 5

    mapped = run_regwatch(
        ["obligations", "map", str(obligation_id), "SAN-01", "--partial"], database_url, tmp_path
    )
    assert mapped.returncode == 0, mapped.stderr
    unknown = run_regwatch(
        ["obligations", "map", str(obligation_id), "SAN-99"], database_url, tmp_path
    )
    assert unknown.returncode == 2
    assert "no control with id 'SAN-99'" in unknown.stderr

    controls = jsonl(
        run_regwatch(["controls", "list", "--format", "jsonl"], database_url, tmp_path)
    )
    assert list(controls[0]) == ["id", "title", "owner", "topics", "status", "obligations"]
    assert next(c for c in controls if c["id"] == "SAN-01")["obligations"] == 1

    export = tmp_path / "gaps.xlsx"
    gaps = jsonl(
        run_regwatch(
            ["gaps", "--by", "owner", "--format", "jsonl", "--export", str(export)],
            database_url,
            tmp_path,
        )
    )
    assert gaps == [{"owner": "sanctions.owner", "unmapped": 0, "partial": 1, "gaps": 1}]
    assert export.stat().st_size > 0

    register = jsonl(
        run_regwatch(["obligations", "list", "--format", "jsonl"], database_url, tmp_path)
    )
    assert register[0]["controls"] == ["SAN-01"]
