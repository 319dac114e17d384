"""Reading assignments: a control owner's work list and what is overdue."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from obligations.models import Assignment, Obligation, User
from obligations.timeutil import utcnow


@dataclass(frozen=True)
class AssignmentView:
    """One assignment with what its owner needs to see."""

    assignment_id: int
    obligation_id: int
    owner: str
    status: str
    due_date: date | None
    overdue: bool
    assigned_by: str
    assigned_at: datetime
    completed_at: datetime | None
    text: str

    def as_row(self) -> dict[str, Any]:
        """A plain dict for output (dates as ISO strings)."""
        row = asdict(self)
        for key in ("due_date", "assigned_at", "completed_at"):
            row[key] = row[key].isoformat() if row[key] else None
        return row


def _views(session: Session, query: Any, today: date) -> list[AssignmentView]:
    rows = session.exec(query.order_by(col(Assignment.due_date), col(Assignment.id))).all()
    return [
        AssignmentView(
            assignment_id=assignment.id,  # type: ignore[arg-type]
            obligation_id=assignment.obligation_id,
            owner=user.username,
            status=obligation.status,
            due_date=assignment.due_date,
            overdue=_is_overdue(assignment, today),
            assigned_by=assignment.assigned_by,
            assigned_at=assignment.assigned_at,
            completed_at=assignment.completed_at,
            text=obligation.text,
        )
        for assignment, obligation, user in rows
    ]


def _is_overdue(assignment: Assignment, today: date) -> bool:
    return (
        assignment.completed_at is None
        and assignment.due_date is not None
        and assignment.due_date < today
    )


def _base_query() -> Any:
    return (
        select(Assignment, Obligation, User)
        .join(Obligation, col(Obligation.id) == Assignment.obligation_id)
        .join(User, col(User.id) == Assignment.owner_id)
        .where(col(Assignment.active).is_(True))
    )


def my_assignments(
    session: Session, user: User, today: date | None = None, include_completed: bool = False
) -> list[AssignmentView]:
    """The active assignments of ``user``, soonest due first, each flagged when overdue."""
    query = _base_query().where(Assignment.owner_id == user.id)
    if not include_completed:
        query = query.where(col(Assignment.completed_at).is_(None))
    return _views(session, query, today or utcnow().date())


def overdue_assignments(session: Session, today: date | None = None) -> list[AssignmentView]:
    """Active, unfinished assignments whose due date is before ``today``."""
    today = today or utcnow().date()
    query = _base_query().where(
        col(Assignment.completed_at).is_(None), col(Assignment.due_date) < today
    )
    return _views(session, query, today)
