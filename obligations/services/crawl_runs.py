"""Crawl runs as the scheduler sees them: overlap checks and settling a child's runs.

A scheduled crawl runs in a child process that opens and closes its own CrawlRun. When
the child crashes, times out or is stopped at shutdown, the parent settles what the
child left behind here, so every attempt ends as a run with a status and a reason.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from obligations.models import CrawlRun, Source
from obligations.timeutil import utcnow


def active_run(
    session: Session, source_id: str, now: datetime, stale_after: timedelta
) -> CrawlRun | None:
    """The source's newest ``running`` run started within ``stale_after`` of ``now``."""
    runs = session.exec(
        select(CrawlRun)
        .where(CrawlRun.source_id == source_id, CrawlRun.status == "running")
        .order_by(col(CrawlRun.id).desc())
    ).all()
    for run in runs:
        if now - run.started_at < stale_after:
            return run
    return None


def last_run_id(session: Session, source_id: str) -> int:
    """The highest CrawlRun id of a source so far (0 if none): runs above it are newer."""
    newest = session.exec(
        select(func.max(CrawlRun.id)).where(CrawlRun.source_id == source_id)
    ).one()
    return int(newest or 0)


def runs_after(session: Session, source_id: str, after_id: int) -> list[CrawlRun]:
    """A source's runs with an id above ``after_id``, oldest first."""
    return list(
        session.exec(
            select(CrawlRun)
            .where(CrawlRun.source_id == source_id, col(CrawlRun.id) > after_id)
            .order_by(col(CrawlRun.id))
        ).all()
    )


def _close(session: Session, run: CrawlRun, status: str, reason: str) -> None:
    run.finished_at = run.finished_at or utcnow()
    if run.status not in ("running", status):
        reason = f"{reason} (the crawl had recorded {run.status}" + (
            f": {run.error})" if run.error else ")"
        )
    run.status = status
    run.error = reason
    run.duration_seconds = (run.finished_at - run.started_at).total_seconds()
    session.add(run)
    source = session.get(Source, run.source_id)
    if source is not None:
        source.last_status = status
        source.last_run_at = run.finished_at
        session.add(source)


def settle_child_runs(
    session: Session,
    source_id: str,
    after_id: int,
    status: str,
    reason: str,
    *,
    trigger: str = "scheduled",
    override_finished: bool = False,
) -> list[int]:
    """Close the runs a child left (id above ``after_id``) as ``status`` with ``reason``.

    Runs still ``running`` are always closed. With ``override_finished`` a run the child
    closed itself is overwritten too (it was cut short, so its ``ok`` is not true). When
    the child died before opening any run, one is recorded so the failure is not lost.
    """
    runs = runs_after(session, source_id, after_id)
    settled = []
    for run in runs:
        if run.status == "running" or (override_finished and run.status != status):
            _close(session, run, status, reason)
            settled.append(run.id)
    if not runs and session.get(Source, source_id) is not None:
        run = CrawlRun(source_id=source_id, trigger=trigger, status="running")
        session.add(run)
        session.flush()
        _close(session, run, status, reason)
        settled.append(run.id)
    session.flush()
    return [run_id for run_id in settled if run_id is not None]
