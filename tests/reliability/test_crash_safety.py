"""SIGKILL in the middle of a crawl: no half-written version, and the next crawl
finishes the work (documents, versions and their obligations) without duplicates."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlmodel import func, select

from obligations import db
from obligations.models import CrawlRun, Document, DocumentVersion, Obligation
from obligations.text.normalise import text_sha256
from tests.crawlers.support import source_toml, write_sources
from tests.helpers.cli import jsonl, run_regwatch
from tests.helpers.httpserver import LocalServer, Route

PAGES = 24


def _serve(server: LocalServer, delay: float) -> None:
    items = "".join(
        f"<item><title>Notice {n}</title><link>{server.url(f'/n/{n}.html')}</link></item>"
        for n in range(PAGES)
    )
    server.routes["/feed.xml"] = Route(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>{items}</channel></rss>',
        content_type="application/rss+xml",
    )
    for n in range(PAGES):
        server.routes[f"/n/{n}.html"] = Route(
            f"<html><body><p>Member firms must retain ledger {n} for six years.</p></body></html>",
            delay=delay,
        )


def _sources(tmp_path: Path, server: LocalServer) -> Path:
    return write_sources(
        tmp_path / "sources.toml", source_toml("slow", "feed", server.url("/feed.xml"))
    )


def _count(database_url: str, model: type) -> int:
    with db.session_scope(database_url) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def _assert_consistent(database_url: str) -> None:
    """Every version belongs to a document and matches its hash; no document lacks one."""
    with db.session_scope(database_url) as session:
        documents = {d.id for d in session.exec(select(Document)).all()}
        versions = session.exec(select(DocumentVersion)).all()
        assert {v.document_id for v in versions} == documents
        for version in versions:
            assert version.text and version.text_sha256 == text_sha256(version.text)
        numbers = [(v.document_id, v.version_number) for v in versions]
        assert len(numbers) == len(set(numbers))
        for obligation in session.exec(select(Obligation)).all():
            assert obligation.document_id in documents


def test_sigkill_mid_crawl_then_next_crawl_completes(database_url: str, tmp_path: Path) -> None:
    with LocalServer() as server:
        _serve(server, delay=0.4)
        sources = _sources(tmp_path, server)
        env = {
            **os.environ,
            "REGWATCH_DATABASE_URL": database_url,
            "REGWATCH_HOME": str(tmp_path),
            "REGWATCH_DOWNLOAD_DELAY": "0",
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "crawlers", "crawl", "--sources", str(sources)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 90
            while _count(database_url, Document) < 3:
                assert process.poll() is None, "the crawl ended before it could be killed"
                assert time.monotonic() < deadline, "the crawl stored nothing"
                time.sleep(0.1)
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()
        stored_before = _count(database_url, Document)
        assert 3 <= stored_before < PAGES
        _assert_consistent(database_url)
        with db.session_scope(database_url) as session:
            assert session.exec(select(CrawlRun.status)).all() == ["running"]

        _serve(server, delay=0)
        second = jsonl(run_regwatch(["crawl", "--sources", str(sources), "--format", "jsonl"],
                                    database_url, tmp_path))  # fmt: skip
    assert second[0]["status"] == "ok", second
    assert second[0]["new_documents"] == PAGES - stored_before
    assert second[0]["new_versions"] == 0
    _assert_consistent(database_url)
    with db.session_scope(database_url) as session:
        runs = session.exec(select(CrawlRun).order_by(CrawlRun.id)).all()
        assert [r.status for r in runs] == ["interrupted", "ok"]
        assert _count(database_url, Document) == PAGES
        assert _count(database_url, DocumentVersion) == PAGES
        # Each page's one obligation is in the register once: none lost, none doubled.
        per_document = session.exec(
            select(Obligation.document_id, func.count()).group_by(Obligation.document_id)
        ).all()
    assert len(per_document) == PAGES, "documents stored by the killed crawl lost obligations"
    assert all(count == 1 for _, count in per_document), per_document
