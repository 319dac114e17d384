"""Figures for the dashboard's overview: what arrived this week, and the weekly trend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func
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


def first_obligation_id_since(session: Session, moment: datetime) -> int | None:
    """The smallest obligation id created at or after ``moment`` (None if none).

    Obligations are insert-only and stamped when inserted, so ids grow with
    ``created_at``: a binary search over the primary key answers with a few index
    probes, where a filter on ``created_at`` (not indexed) would scan the whole register.
    """
    moment = _aware(moment)
    low = session.exec(select(func.min(Obligation.id))).one()
    high = session.exec(select(func.max(Obligation.id))).one()
    if high is None or _created_at(session, high) < moment:
        return None
    while low < high:
        middle = (low + high) // 2
        if _created_at(session, middle) >= moment:
            high = middle
        else:
            low = middle + 1
    return low


def _created_at(session: Session, at_or_after_id: int) -> datetime:
    """``created_at`` of the first obligation whose id is ``at_or_after_id`` or more."""
    created = session.exec(
        select(Obligation.created_at)
        .where(Obligation.id >= at_or_after_id)
        .order_by(col(Obligation.id))
        .limit(1)
    ).one()
    return _aware(created)


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
    first_id = first_obligation_id_since(session, since)
    new_obligations, by_topic, by_jurisdiction = 0, [], []
    if first_id is not None:
        new_obligations = session.exec(
            select(func.count()).select_from(Obligation).where(Obligation.id >= first_id)
        ).one()
        by_topic = session.exec(
            select(ObligationTopic.topic, func.count())
            .where(ObligationTopic.obligation_id >= first_id)
            .group_by(ObligationTopic.topic)
        ).all()
        by_source = session.exec(
            select(Obligation.source_id, func.count())
            .where(Obligation.id >= first_id)
            .group_by(Obligation.source_id)
        ).all()
        places = dict(session.exec(select(Source.id, Source.jurisdiction)).all())
        counts: dict[str, int] = {}
        for source_id, count in by_source:
            place = places.get(source_id, "")
            counts[place] = counts.get(place, 0) + count
        by_jurisdiction = list(counts.items())
    return {
        "new_documents": new_documents,
        "changed_versions": changed_versions,
        "new_obligations": new_obligations,
        "new_by_topic": dict(sorted(by_topic, key=lambda row: -row[1])),
        "new_by_jurisdiction": dict(sorted(by_jurisdiction, key=lambda row: -row[1])),
    }


def weekly_trend(session: Session, now: datetime | None = None, weeks: int = 12) -> list[dict]:
    """New obligations and changed versions per week, oldest week first.

    Each week is an id range of the register (see :func:`first_obligation_id_since`) and
    a range of the indexed ``DocumentVersion.fetched_at``.
    """
    end = _aware(now or utcnow())
    bounds = [end - timedelta(weeks=weeks - index) for index in range(weeks + 1)]
    last_id = session.exec(select(func.max(Obligation.id))).one() or 0
    ids = [first_obligation_id_since(session, moment) or last_id + 1 for moment in bounds]
    trend = []
    for index in range(weeks):
        new = session.exec(
            select(func.count())
            .select_from(Obligation)
            .where(Obligation.id >= ids[index], Obligation.id < ids[index + 1])
        ).one()
        changed = session.exec(
            select(func.count())
            .select_from(DocumentVersion)
            .where(
                DocumentVersion.fetched_at >= bounds[index],
                DocumentVersion.fetched_at < bounds[index + 1],
                DocumentVersion.change_kind == "changed",
            )
        ).one()
        trend.append(
            {
                "week": bounds[index + 1].date().isoformat(),
                "new_obligations": new,
                "changed_documents": changed,
            }
        )
    return trend
