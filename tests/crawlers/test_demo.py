"""``regwatch demo --no-dashboard``: two rounds over the archive; only the WeChat page changes."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import col, select

from obligations import db
from obligations.models import CrawlRun
from tests.crawlers.support import documents, version_count, versions
from tests.helpers.cli import jsonl, run_regwatch

WECHAT = "https://mp.weixin.qq.com/s/Xq3vN7hTq8wYkCmR2fPz0A"


def test_demo_two_rounds_one_change(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    demo = run_regwatch(["demo", "--no-dashboard"], url, tmp_path, timeout=400)
    assert demo.returncode == 0, demo.stderr[-3000:]

    stored = documents(url)
    assert len(stored) >= 60
    assert version_count(url) == len(stored) + 1  # one amended page, one new version
    (wechat,) = [d for d in stored if d.url == WECHAT]
    first, second = versions(url, wechat.id)  # type: ignore[arg-type]
    assert second.change_kind == "changed" and first.text != second.text

    with db.session_scope(url) as session:
        runs = session.exec(select(CrawlRun).order_by(col(CrawlRun.id))).all()
    sources = {run.source_id for run in runs}
    assert len(runs) == 2 * len(sources) and len(sources) >= 12
    round_two = runs[len(sources) :]
    changed = {run.source_id: run.new_versions for run in round_two if run.new_versions}
    assert changed == {"wechat-mp-crypto-nft-rules": 1}
    assert sum(run.new_documents for run in round_two) == 0
    assert all(run.status in ("ok", "blocked") for run in runs)

    register = jsonl(run_regwatch(["obligations", "list", "--format", "jsonl"], url, tmp_path))
    assert len(register) >= 50
    assert any(row["source_id"] == "wechat-mp-crypto-nft-rules" for row in register)
    # The demo ends by printing the register's first rows.
    assert "modality" in demo.stdout and "wechat-mp-crypto-nft-rules" in demo.stdout
