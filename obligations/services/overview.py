"""Figures for the dashboard's overview: what arrived this week, open gaps, overdue work."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, case, func
from sqlmodel import Session, col, select

from obligations.models import (
    Assignment,
    Document,
    DocumentVersion,
    Obligation,
    ObligationControl,
    ObligationTopic,
    Source,
    User,
)
from obligations.services.register import register_rows
from obligations.timeutil import utcnow

# Statuses that take an obligation out of the gap count even without a control.
CLOSED_STATUSES = ("superseded", "not_applicable", "dismissed", "rejected")


def _in_force():  # type: ignore[no-untyped-def]
    return and_(
        col(Obligation.superseded_by_version_id).is_(None),
        col(Obligation.status).not_in(CLOSED_STATUSES),
    )


def _fully_covered():  # type: ignore[no-untyped-def]
    return (
        select(ObligationControl.obligation_id)
        .where(ObligationControl.state == "accepted", ObligationControl.coverage == "full")
        .scalar_subquery()
    )


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


def open_gap_count(session: Session) -> int:
    """Obligations in force that no accepted control fully covers."""
    return session.exec(
        select(func.count())
        .select_from(Obligation)
        .where(_in_force(), col(Obligation.id).not_in(_fully_covered()))
    ).one()


def gap_matrix(session: Session, by: str = "source") -> list[dict]:
    """Open gaps counted per topic and per source (``by="source"``) or owner."""
    group = Obligation.source_id if by == "source" else Obligation.owner
    rows = session.exec(
        select(ObligationTopic.topic, group, func.count())
        .join(Obligation, col(Obligation.id) == ObligationTopic.obligation_id)
        .where(_in_force(), col(Obligation.id).not_in(_fully_covered()))
        .group_by(ObligationTopic.topic, group)
    ).all()
    return [
        {"topic": topic, by: key or "(unassigned)", "gaps": count} for topic, key, count in rows
    ]


def overdue_count(session: Session, today: date | None = None) -> int:
    """Active assignments past their due date."""
    today = today or utcnow().date()
    return session.exec(
        select(func.count())
        .select_from(Assignment)
        .where(
            col(Assignment.active).is_(True),
            col(Assignment.due_date).is_not(None),
            col(Assignment.due_date) < today,
        )
    ).one()


def overdue_assignments(session: Session, today: date | None = None, limit: int = 50) -> list[dict]:
    """The oldest overdue active assignments, with owner and obligation."""
    today = today or utcnow().date()
    rows = session.exec(
        select(Assignment, User.username, Obligation.text)
        .join(User, col(User.id) == Assignment.owner_id)
        .join(Obligation, col(Obligation.id) == Assignment.obligation_id)
        .where(
            col(Assignment.active).is_(True),
            col(Assignment.due_date).is_not(None),
            col(Assignment.due_date) < today,
        )
        .order_by(col(Assignment.due_date))
        .limit(limit)
    ).all()
    return [
        {
            "obligation_id": assignment.obligation_id,
            "owner": username,
            "due_date": assignment.due_date,
            "days_overdue": (today - assignment.due_date).days,  # type: ignore[operator]
            "text": text,
        }
        for assignment, username, text in rows
    ]


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


def gap_rows(
    session: Session,
    topic: str | None = None,
    owner: str | None = None,
    source_id: str | None = None,
    limit: int = 1000,
) -> list[dict]:
    """Obligations in force with no accepted control (``none``) or only partial ones."""
    query = select(Obligation).where(_in_force(), col(Obligation.id).not_in(_fully_covered()))
    if topic:
        query = query.where(
            col(Obligation.id).in_(
                select(ObligationTopic.obligation_id).where(ObligationTopic.topic == topic)
            )
        )
    if owner:
        query = query.where(Obligation.owner == owner)
    if source_id:
        query = query.where(Obligation.source_id == source_id)
    obligations = session.exec(query.order_by(col(Obligation.id).desc()).limit(limit)).all()
    ids = [o.id for o in obligations]
    partial = set(
        session.exec(
            select(ObligationControl.obligation_id).where(
                col(ObligationControl.obligation_id).in_(ids),
                ObligationControl.state == "accepted",
                ObligationControl.coverage == "partial",
            )
        ).all()
    )
    rows = register_rows(session, list(obligations))
    for row in rows:
        row["coverage"] = "partial" if row["id"] in partial else "none"
    return rows
