"""Concurrent writers: the audit chain never forks, nothing is locked out or lost.

Runs on SQLite (WAL, busy timeout) and PostgreSQL via the ``database_url`` fixture.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from sqlmodel import func, select

from obligations import db
from obligations.models import AuditEvent, Document, User
from obligations.services.audit import record_event, verify_chain
from obligations.services.documents import list_documents
from obligations.services.register import RegisterFilter, list_register
from obligations.services.users import add_user
from tests.crawlers.support import source_toml, write_sources
from tests.helpers.cli import jsonl, run_regwatch
from tests.helpers.httpserver import LocalServer, Route

WRITERS = 8
EVENTS_EACH = 15


def _run_threads(count: int, work: Callable[[int], None]) -> list[BaseException]:
    """Run ``work(i)`` in ``count`` threads started together; return what they raised."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def runner(index: int) -> None:
        try:
            barrier.wait()
            work(index)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return errors


def _event_count(database_url: str) -> int:
    with db.session_scope(database_url) as session:
        return session.exec(select(func.count()).select_from(AuditEvent)).one()


def test_audit_chain_does_not_fork_under_concurrent_writers(database_url: str) -> None:
    def write(writer: int) -> None:
        for number in range(EVENTS_EACH):
            with db.session_scope(database_url) as session:
                # Read first, as a service function would, to widen any race window.
                list_register(session, RegisterFilter(), limit=5)
                record_event(session, f"writer{writer}", "comment.add", "obligation", number,
                             None, {"text": f"note {writer}/{number}"})  # fmt: skip

    errors = _run_threads(WRITERS, write)
    assert not errors, errors[:3]
    with db.session_scope(database_url) as session:
        report = verify_chain(session)
    assert report.ok, report
    assert report.events == WRITERS * EVENTS_EACH


def _feed(server: LocalServer, pages: int) -> None:
    items = "".join(
        f"<item><title>Notice {n}</title><link>{server.url(f'/n/{n}.html')}</link></item>"
        for n in range(pages)
    )
    server.routes["/feed.xml"] = Route(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>{items}</channel></rss>',
        content_type="application/rss+xml",
    )
    for n in range(pages):
        server.routes[f"/n/{n}.html"] = Route(
            f"<html><body><p>Firms must keep record {n} for five years.</p>"
            f"<p>Firms should review notice {n} each year.</p></body></html>",
            delay=0.02,
        )


def test_crawl_and_library_writers_at_once(database_url: str, tmp_path: Path) -> None:
    pages = 20
    sources = tmp_path / "sources.toml"
    with LocalServer() as server:
        _feed(server, pages)
        write_sources(sources, source_toml("busy", "feed", server.url("/feed.xml")))
        crawl: dict = {}
        crawler = threading.Thread(
            target=lambda: crawl.update(
                process=run_regwatch(
                    ["crawl", "--sources", str(sources), "--format", "jsonl"],
                    database_url,
                    tmp_path,
                )
            )
        )
        crawler.start()
        written = [0] * 4

        def write(writer: int) -> None:
            number = 0
            while crawler.is_alive() or number < 5:
                with db.session_scope(database_url) as session:
                    if writer % 2:
                        add_user(session, f"user{writer}-{number}", "analyst")
                    else:
                        list_documents(session)
                        record_event(session, "dashboard", "comment.add", "obligation", number)
                    list_register(session, RegisterFilter(search="records"), limit=20)
                number += 1
                written[writer] = number
                time.sleep(0.02)  # a busy dashboard, not a tight loop

        errors = _run_threads(len(written), write)
        crawler.join(180)
    assert not errors, errors[:3]
    summary = jsonl(crawl["process"])
    assert summary[0]["status"] == "ok" and summary[0]["new_documents"] == pages, summary
    assert "database is locked" not in crawl["process"].stderr
    with db.session_scope(database_url) as session:
        assert session.exec(select(func.count()).select_from(Document)).one() == pages
        assert session.exec(select(func.count()).select_from(User)).one() == sum(written[1::2])
        report = verify_chain(session)
    assert report.ok, report
    assert report.events == sum(written) == _event_count(database_url)
