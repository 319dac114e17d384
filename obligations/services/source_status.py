"""How each source is doing: last run, documents, errors, next scheduled run; crawl requests."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from obligations.cron import cron_trigger
from obligations.errors import ConfigError, NotFoundError
from obligations.models import CrawlRun, Document, Source, User
from obligations.services.audit import record_event
from obligations.services.users import require
from obligations.timeutil import utcnow


def next_run_at(schedule: str | None, now: datetime | None = None) -> datetime | None:
    """The next time a 5-field cron ``schedule`` fires after ``now`` (UTC), or None."""
    fields = (schedule or "").split()
    if len(fields) != 5:
        return None
    try:
        trigger = cron_trigger(schedule or "", UTC)
    except ValueError:
        return None
    moment = now or utcnow()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return trigger.get_next_fire_time(None, moment)


def source_overview(session: Session, now: datetime | None = None) -> list[dict]:
    """One row per source with its last run, document count and next scheduled run."""
    sources = session.exec(select(Source).order_by(col(Source.id))).all()
    documents = dict(
        session.exec(select(Document.source_id, func.count()).group_by(Document.source_id)).all()
    )
    latest = (
        select(CrawlRun.source_id, func.max(CrawlRun.id).label("run_id"))
        .group_by(CrawlRun.source_id)
        .subquery()
    )
    runs = {
        run.source_id: run
        for run in session.exec(select(CrawlRun).join(latest, latest.c.run_id == CrawlRun.id))
    }
    rows = []
    for source in sources:
        run = runs.get(source.id)
        rows.append(
            {
                "id": source.id,
                "name": source.name,
                "authority": source.authority,
                "authority_kind": source.authority_kind,
                "jurisdiction": source.jurisdiction,
                "enabled": source.enabled,
                "schedule": source.schedule,
                "status": run.status if run else "never run",
                "last_run_at": run.started_at if run else None,
                "duration_seconds": run.duration_seconds if run else None,
                "documents": documents.get(source.id, 0),
                "new_versions": run.new_versions if run else 0,
                "errors": run.errors if run else 0,
                "error": run.error if run else None,
                "next_run_at": next_run_at(source.schedule, now) if source.enabled else None,
            }
        )
    return rows


def recent_runs(session: Session, source_id: str, limit: int = 20) -> list[dict]:
    """A source's latest crawl runs, newest first."""
    runs = session.exec(
        select(CrawlRun)
        .where(CrawlRun.source_id == source_id)
        .order_by(col(CrawlRun.id).desc())
        .limit(limit)
    ).all()
    return [run.model_dump() for run in runs]


def request_crawl(session: Session, actor: User, source_id: str) -> list[str]:
    """Check the actor may crawl, audit the request, and return the command to run.

    The caller starts the command as its own process: a crawl needs a fresh Twisted
    reactor, so it never runs inside the dashboard.
    """
    require(actor, "run_crawl")
    source = session.get(Source, source_id)
    if source is None:
        raise NotFoundError(f"no source with id {source_id!r}")
    if not source.enabled:
        raise ConfigError(f"source {source_id!r} is disabled")
    record_event(session, actor.username, "crawl.request", "source", source_id, None, None)
    return [sys.executable, "-m", "crawlers", "crawl", "--source", source_id, "--trigger", "manual"]
