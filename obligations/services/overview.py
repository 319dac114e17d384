"""Figures for the dashboard's overview: what arrived this week, and the weekly trend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, case, func
from sqlmodel import Session, col, select

from obligations.models import (
    Document,
    DocumentVersion,
    Obligation,
    ObligationTopic,
    Source,
)
from obligations.timeutil import utcnow


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def week_figures(session: Session, now: datetime | None = None, days: int = 7) -> dict:
    """Counts since ``days`` ago: new documents, changed versions, new obligations."""
    since = _aware((now or utcnow()) - timedelta(days=days))
    new_documents = session.exec(
        select(func.count()).select_from(Document).where(Document.first_seen_at >= since)
    ).one()
    changed_versions = session.exec(
        select(func.count())
        .select_from(DocumentVersion)
        .where(DocumentVersion.fetched_at >= since, DocumentVersion.change_kind == "changed")
    ).one()
    new_obligations = session.exec(
        select(func.count()).select_from(Obligation).where(Obligation.created_at >= since)
    ).one()
    by_topic = session.exec(
        select(ObligationTopic.topic, func.count())
        .join(Obligation, col(Obligation.id) == ObligationTopic.obligation_id)
        .where(Obligation.created_at >= since)
        .group_by(ObligationTopic.topic)
    ).all()
    by_jurisdiction = session.exec(
        select(Source.jurisdiction, func.count())
        .join(Obligation, col(Obligation.source_id) == Source.id)
        .where(Obligation.created_at >= since)
        .group_by(Source.jurisdiction)
    ).all()
    return {
        "new_documents": new_documents,
        "changed_versions": changed_versions,
        "new_obligations": new_obligations,
        "new_by_topic": dict(sorted(by_topic, key=lambda row: -row[1])),
        "new_by_jurisdiction": dict(sorted(by_jurisdiction, key=lambda row: -row[1])),
    }


def weekly_trend(session: Session, now: datetime | None = None, weeks: int = 12) -> list[dict]:
    """New obligations and changed versions per week, oldest week first (one scan each)."""
    end = _aware(now or utcnow())
    starts = [end - timedelta(weeks=weeks - index) for index in range(weeks)]

    def buckets(column, *where):  # type: ignore[no-untyped-def]
        sums = [
            func.sum(case((and_(column >= start, column < start + timedelta(weeks=1)), 1), else_=0))
            for start in starts
        ]
        row = session.exec(select(*sums).where(column >= starts[0], *where)).one()
        return [int(value or 0) for value in row]

    obligations = buckets(col(Obligation.created_at))
    changes = buckets(col(DocumentVersion.fetched_at), DocumentVersion.change_kind == "changed")
    return [
        {
            "week": (start + timedelta(weeks=1)).date().isoformat(),
            "new_obligations": new,
            "changed_documents": changed,
        }
        for start, new, changed in zip(starts, obligations, changes, strict=True)
    ]
