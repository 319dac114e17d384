"""Sources and their crawl runs."""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from obligations.models import CrawlRun, Source
from obligations.timeutil import utcnow

SOURCE_COLUMNS = (
    "name",
    "authority",
    "authority_kind",
    "jurisdiction",
    "language",
    "kind",
    "url",
    "schedule",
    "enabled",
)


def upsert_sources(session: Session, definitions: list[dict[str, Any]]) -> list[Source]:
    """Create or update Source rows from validated definitions (dicts with an ``id``)."""
    sources = []
    for definition in definitions:
        source = session.get(Source, definition["id"]) or Source(id=definition["id"])
        for column in SOURCE_COLUMNS:
            setattr(source, column, definition.get(column, getattr(source, column, None)))
        if source.enabled is None:
            source.enabled = True
        source.definition = definition
        source.updated_at = utcnow()
        session.add(source)
        sources.append(source)
    session.flush()
    return sources


def start_run(session: Session, source_id: str, trigger: str = "manual") -> CrawlRun:
    """Open a CrawlRun in status ``running``."""
    run = CrawlRun(source_id=source_id, trigger=trigger, status="running", worker=current_worker())
    session.add(run)
    session.flush()
    return run


def finish_run(
    session: Session, run_id: int, status: str, error: str | None, stats: dict
) -> CrawlRun:
    """Close a run with its outcome and counters, and note it on the source."""
    run = session.get(CrawlRun, run_id)
    assert run is not None
    run.finished_at = utcnow()
    run.status = status
    run.error = error
    for key in ("requests", "not_modified", "new_documents", "new_versions", "unchanged", "errors"):
        setattr(run, key, int(stats.get(key, 0)))
    run.duration_seconds = (run.finished_at - run.started_at).total_seconds()
    source = session.get(Source, run.source_id)
    if source is not None:
        source.last_status = status
        source.last_run_at = run.finished_at
        session.add(source)
    session.add(run)
    return run


def current_worker() -> str:
    """This process's identity as recorded on its crawl runs (``host:pid``)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def worker_is_alive(worker: str | None) -> bool | None:
    """True/False for a worker on this host; None when it cannot be told from here."""
    if not worker or ":" not in worker:
        return None
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def interrupt_stale_runs(session: Session, source_ids: list[str]) -> int:
    """Runs left ``running`` by a dead process become ``interrupted``."""
    return len(interrupt_stale_runs_since(session, source_ids))


def interrupt_stale_runs_since(
    session: Session, source_ids: list[str], stale_after: timedelta = timedelta(hours=6)
) -> dict[str, datetime]:
    """Mark dead processes' runs ``interrupted``; when each source's oldest one began.

    A run whose worker is on this host is stale when its process is gone; a run from
    another host (a distributed worker) only after ``stale_after``, so concurrent
    crawls of the same source never mark each other interrupted. Versions stored after
    the returned moment may never have been extracted (the process died first); the
    runner extracts them again, which is harmless if they were.
    """
    runs = session.exec(
        select(CrawlRun).where(
            col(CrawlRun.source_id).in_(source_ids), CrawlRun.status == "running"
        )
    ).all()
    now = utcnow()
    since: dict[str, datetime] = {}
    for run in runs:
        alive = worker_is_alive(run.worker)
        started = run.started_at if run.started_at.tzinfo else run.started_at.replace(tzinfo=UTC)
        if alive or (alive is None and now - started < stale_after):
            continue
        run.status = "interrupted"
        run.error = "the crawl process ended before the run finished"
        run.finished_at = now
        session.add(run)
        since[run.source_id] = min(run.started_at, since.get(run.source_id, run.started_at))
    return since


def save_http_validators(session: Session, source_id: str, validators: dict[str, Any]) -> None:
    """Keep the ETag/Last-Modified of a source's listing pages for the next crawl."""
    source = session.get(Source, source_id)
    if source is not None:
        source.http_validators = {**(source.http_validators or {}), **validators}
        session.add(source)
