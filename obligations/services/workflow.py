"""The review workflow: triage, assign, map, implement, verify, with comments.

An obligation moves ``new → triaged → assigned → mapped → implemented → verified``;
triage may instead mark it ``not_applicable`` (with a reason), and a mapped obligation
whose last accepted control is rejected goes back to ``assigned``. Which moves are allowed
is one table, :data:`TRANSITIONS`. Every change checks the actor's role, writes an audit
event with the state before and after, and bumps ``Obligation.row_version`` with a
guarded ``UPDATE … WHERE row_version = N``: when somebody else changed the obligation
first, the change is refused with a :class:`ConflictError` and nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from obligations.errors import (
    ConfigError,
    ConflictError,
    PermissionDeniedError,
    RegwatchError,
)
from obligations.models import Assignment, Obligation, ObligationControl, User
from obligations.services.assignments import (
    AssignmentView,
    my_assignments,
    overdue_assignments,
)
from obligations.services.audit import record_event
from obligations.services.comments import add_comment, list_comments
from obligations.services.controls import actor_name
from obligations.services.row_version import guarded_update, load_for_update
from obligations.services.users import can, get_user, require
from obligations.timeutil import utcnow

__all__ = [
    "TRANSITIONS", "AssignmentView", "InvalidTransitionError", "add_comment", "assign",
    "list_comments", "mark_implemented", "mark_mapped", "mark_mapped_if_ready",
    "mark_unmapped_if_uncovered", "mark_verified", "my_assignments",
    "overdue_assignments", "reopen", "triage", "update_assignment",
]  # fmt: skip

STATUSES = (
    "new", "triaged", "not_applicable", "assigned", "mapped", "implemented", "verified",
    "superseded",
)  # fmt: skip

# action: {status before: status after}. A status missing from an action's row is refused.
TRANSITIONS: dict[str, dict[str, str]] = {
    # Triage, and re-triage of an obligation whose applicability was misjudged.
    "triage": {"new": "triaged", "not_applicable": "triaged", "assigned": "triaged",
               "mapped": "triaged"},
    "not_applicable": {"new": "not_applicable", "triaged": "not_applicable",
                       "assigned": "not_applicable", "mapped": "not_applicable"},
    # Assigning again hands the obligation to another owner (or moves the due date).
    "assign": {"triaged": "assigned", "assigned": "assigned", "mapped": "mapped"},
    "map": {"assigned": "mapped"},
    # Its last accepted control was rejected: it needs mapping (and implementing) again.
    "unmap": {"mapped": "assigned", "implemented": "assigned", "verified": "assigned"},
    "implement": {"mapped": "implemented"},
    "verify": {"implemented": "verified"},
    # Testing found the control does not work (or an examiner said so): back to the owner.
    "reopen": {"implemented": "mapped", "verified": "mapped"},
}  # fmt: skip
ACTION_TARGET = {
    "triage": "triaged", "not_applicable": "not_applicable", "assign": "assigned",
    "map": "mapped", "unmap": "assigned", "implement": "implemented", "verify": "verified",
    "reopen": "mapped",
}  # fmt: skip
ACTION_PERMISSION = {
    "triage": "triage", "not_applicable": "triage", "assign": "assign", "map": "map",
    "unmap": "map", "implement": "update_assignment", "verify": "verify", "reopen": "verify",
}  # fmt: skip
MAX_REASON_LENGTH = 2_000


class InvalidTransitionError(RegwatchError):
    """The obligation's status does not allow the requested move."""

    def __init__(self, obligation_id: int, action: str, from_status: str) -> None:
        self.from_status = from_status
        self.to_status = ACTION_TARGET[action]
        allowed = ", ".join(TRANSITIONS[action]) or "nowhere"
        super().__init__(
            f"obligation {obligation_id}: cannot {action.replace('_', ' ')} "
            f"(status {from_status} -> {self.to_status} is not allowed; "
            f"allowed from: {allowed})"
        )


def target_status(obligation_id: int, action: str, from_status: str) -> str:
    """The status ``action`` leads to from ``from_status``; InvalidTransitionError if none."""
    to_status = TRANSITIONS[action].get(from_status)
    if to_status is None:
        raise InvalidTransitionError(obligation_id, action, from_status)
    return to_status


def _snapshot(obligation: Obligation) -> dict[str, Any]:
    return {
        "status": obligation.status,
        "status_reason": obligation.status_reason,
        "owner": obligation.owner,
        "due_date": obligation.due_date.isoformat() if obligation.due_date else None,
        "row_version": obligation.row_version,
    }


def _active_assignment(session: Session, obligation_id: int) -> Assignment | None:
    return session.exec(
        select(Assignment)
        .where(Assignment.obligation_id == obligation_id, col(Assignment.active).is_(True))
        .order_by(col(Assignment.id).desc())
    ).first()


def _active_assignments(session: Session, obligation_ids: list[int]) -> dict[int, Assignment]:
    """The active assignment of each obligation that has one."""
    rows = session.exec(
        select(Assignment).where(
            col(Assignment.obligation_id).in_(obligation_ids), col(Assignment.active).is_(True)
        )
    ).all()
    return {assignment.obligation_id: assignment for assignment in rows}


def _check_reason(reason: str | None, what: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise ConfigError(f"a reason is required to {what}")
    if len(text) > MAX_REASON_LENGTH:
        raise ConfigError(f"reason too long: at most {MAX_REASON_LENGTH} characters")
    return text


def triage(
    session: Session,
    actor: User,
    obligation_id: int,
    applicable: bool,
    reason: str | None = None,
    expected_row_version: int | None = None,
) -> Obligation:
    """Decide whether an obligation applies to the firm (not applicable needs a reason).

    Re-triaging an assigned or mapped obligation withdraws its assignment.
    """
    action = "triage" if applicable else "not_applicable"
    require(actor, ACTION_PERMISSION[action])
    if applicable:
        reason = (reason or "").strip() or None
    else:
        reason = _check_reason(reason, "mark an obligation not applicable")
    (obligation,) = load_for_update(session, [obligation_id], expected_row_version)
    to_status = target_status(obligation_id, action, obligation.status)
    before = _snapshot(obligation)
    assignment = _active_assignment(session, obligation_id)
    guarded_update(
        session, obligation, status=to_status, status_reason=reason, owner=None, due_date=None
    )
    if assignment is not None:
        assignment.active = False
        session.add(assignment)
    record_event(
        session,
        actor.username,
        f"obligation.{action}",
        "obligation",
        obligation_id,
        before,
        _snapshot(obligation),
    )
    return obligation


def _check_owner(session: Session, owner_username: str) -> User:
    owner = get_user(session, owner_username)
    if not owner.active:
        raise ConfigError(f"user {owner.username!r} is inactive and cannot own assignments")
    if not can(owner, "update_assignment"):
        raise ConfigError(
            f"user {owner.username!r} (role {owner.role}) cannot own assignments: "
            "needs role owner or admin"
        )
    return owner


def assign(
    session: Session,
    actor: User,
    obligation_ids: Sequence[int],
    owner_username: str,
    due_date: date,
    expected_row_version: int | Mapping[int, int] | None = None,
    reassign: bool = False,
) -> list[Assignment]:
    """Give obligations to a control owner by a due date; all of them or none.

    An obligation already assigned to somebody else is refused unless ``reassign`` is set,
    so two analysts assigning the same obligation cannot silently overwrite each other.
    """
    require(actor, ACTION_PERMISSION["assign"])
    owner = _check_owner(session, owner_username)
    if due_date < utcnow().date():
        raise ConfigError(f"due date {due_date.isoformat()} is in the past")
    obligations = load_for_update(session, obligation_ids, expected_row_version)
    previous = _active_assignments(session, [o.id for o in obligations])  # type: ignore[misc]
    targets: dict[int, str] = {}
    for obligation in obligations:
        obligation_id: int = obligation.id  # type: ignore[assignment]
        targets[obligation_id] = target_status(obligation_id, "assign", obligation.status)
        current = previous.get(obligation_id)
        if current is not None and current.owner_id != owner.id and not reassign:
            raise ConflictError(
                f"obligation {obligation_id} is already assigned to {obligation.owner}; "
                "reassign it explicitly"
            )

    # Everything is valid: write the rows, then the assignments, then the audit events.
    befores = [_snapshot(o) for o in obligations]
    for obligation, to_status in zip(obligations, targets.values(), strict=True):
        guarded_update(
            session, obligation, status=to_status, owner=owner.username, due_date=due_date
        )
    for current in previous.values():
        current.active = False
        session.add(current)
    assignments = [
        Assignment(
            obligation_id=obligation.id,  # type: ignore[arg-type]
            owner_id=owner.id,  # type: ignore[arg-type]
            due_date=due_date,
            assigned_by=actor.username,
        )
        for obligation in obligations
    ]
    session.add_all(assignments)
    session.flush()
    for obligation, assignment, before in zip(obligations, assignments, befores, strict=True):
        after = {**_snapshot(obligation), "assignment_id": assignment.id}
        record_event(
            session, actor.username, "obligation.assign", "obligation", assignment.obligation_id,
            before, after,
        )  # fmt: skip
    return assignments


def _has_accepted_control(session: Session, obligation_id: int) -> bool:
    return (
        session.exec(
            select(ObligationControl.control_id).where(
                ObligationControl.obligation_id == obligation_id,
                ObligationControl.state == "accepted",
            )
        ).first()
        is not None
    )


def mark_mapped(
    session: Session,
    actor: User | None,
    obligation_id: int,
    expected_row_version: int | None = None,
) -> Obligation:
    """Record that accepted controls now cover an assigned obligation.

    ``actor`` None is the local command line."""
    who = actor_name(actor, ACTION_PERMISSION["map"])
    (obligation,) = load_for_update(session, [obligation_id], expected_row_version)
    to_status = target_status(obligation_id, "map", obligation.status)
    if not _has_accepted_control(session, obligation_id):
        raise ConfigError(f"obligation {obligation_id} has no accepted control; map one first")
    before = _snapshot(obligation)
    guarded_update(session, obligation, status=to_status)
    record_event(
        session,
        who,
        "obligation.map",
        "obligation",
        obligation_id,
        before,
        _snapshot(obligation),
    )
    return obligation


def mark_mapped_if_ready(session: Session, actor: User | None, obligation_id: int) -> bool:
    """After a control mapping is accepted: move an assigned obligation on to ``mapped``.

    For the controls module to call; does nothing (returns False) in any other status, so
    accepting a mapping before triage or assignment is not an error.
    """
    obligation = session.get(Obligation, obligation_id)
    if obligation is None or obligation.status not in TRANSITIONS["map"]:
        return False
    mark_mapped(session, actor, obligation_id)
    return True


def mark_unmapped_if_uncovered(session: Session, actor: User | None, obligation_id: int) -> bool:
    """After a control mapping is rejected: move a mapped, implemented or verified obligation
    with no accepted control left back to ``assigned`` (its owner's assignment open again),
    audited like any other move: an implementation no control covers proves nothing.

    For the mapping module to call; does nothing (returns False) in any other status or
    while another control stays accepted. ``actor`` None is the local command line.
    """
    obligation = session.get(Obligation, obligation_id)
    if obligation is None or obligation.status not in TRANSITIONS["unmap"]:
        return False
    if _has_accepted_control(session, obligation_id):
        return False
    who = actor_name(actor, ACTION_PERMISSION["unmap"])
    (obligation,) = load_for_update(session, [obligation_id], None)
    to_status = target_status(obligation_id, "unmap", obligation.status)
    before = _snapshot(obligation)
    guarded_update(session, obligation, status=to_status)
    _reopen_assignment(session, obligation_id)
    record_event(
        session, who, "obligation.unmap", "obligation", obligation_id, before, _snapshot(obligation)
    )
    return True


def _reopen_assignment(session: Session, obligation_id: int) -> None:
    """Put the obligation back on its owner's open assignments."""
    assignment = _active_assignment(session, obligation_id)
    if assignment is not None and assignment.completed_at is not None:
        assignment.completed_at = None
        session.add(assignment)


def _own_assignment(session: Session, actor: User, obligation: Obligation) -> Assignment:
    """The active assignment, which an owner may only touch if it is theirs."""
    assignment = _active_assignment(session, obligation.id)  # type: ignore[arg-type]
    if assignment is None:
        raise ConfigError(f"obligation {obligation.id} has no active assignment")
    if assignment.owner_id != actor.id and not can(actor, "assign"):
        raise PermissionDeniedError(
            f"user {actor.username!r} may only update their own assignments; "
            f"obligation {obligation.id} is assigned to {obligation.owner}"
        )
    return assignment


def update_assignment(
    session: Session,
    actor: User,
    obligation_id: int,
    note: str | None = None,
    implemented: bool = False,
    expected_row_version: int | None = None,
) -> Assignment:
    """The owner reports on their assignment: a note, and optionally "implemented"."""
    require(actor, "update_assignment")
    if not implemented and not (note or "").strip():
        raise ConfigError("give a note, or mark the assignment implemented")
    (obligation,) = load_for_update(session, [obligation_id], expected_row_version)
    assignment = _own_assignment(session, actor, obligation)
    if implemented:
        to_status = target_status(obligation_id, "implement", obligation.status)
        before = _snapshot(obligation)
        guarded_update(session, obligation, status=to_status)
        assignment.completed_at = utcnow()
        session.add(assignment)
        after = {**_snapshot(obligation), "note": (note or "").strip() or None}
        record_event(
            session,
            actor.username,
            "obligation.implement",
            "obligation",
            obligation_id,
            before,
            after,
        )
    if note and note.strip():
        add_comment(session, actor, obligation_id, note)
    return assignment


def mark_implemented(
    session: Session,
    actor: User,
    obligation_id: int,
    note: str | None = None,
    expected_row_version: int | None = None,
) -> Assignment:
    """The owner says the controls for their obligation are in place."""
    return update_assignment(session, actor, obligation_id, note, True, expected_row_version)


def mark_verified(
    session: Session,
    actor: User,
    obligation_id: int,
    note: str | None = None,
    expected_row_version: int | None = None,
) -> Obligation:
    """Second-line sign-off; nobody verifies their own implementation."""
    require(actor, ACTION_PERMISSION["verify"])
    (obligation,) = load_for_update(session, [obligation_id], expected_row_version)
    to_status = target_status(obligation_id, "verify", obligation.status)
    assignment = _active_assignment(session, obligation_id)
    if assignment is not None and assignment.owner_id == actor.id:
        raise PermissionDeniedError(
            f"user {actor.username!r} implemented obligation {obligation_id} and may not "
            "verify it too"
        )
    before = _snapshot(obligation)
    guarded_update(session, obligation, status=to_status)
    after = {**_snapshot(obligation), "note": (note or "").strip() or None}
    record_event(
        session, actor.username, "obligation.verify", "obligation", obligation_id, before, after
    )
    return obligation


def reopen(
    session: Session,
    actor: User,
    obligation_id: int,
    reason: str,
    expected_row_version: int | None = None,
) -> Obligation:
    """Send an implemented or verified obligation back to its owner, with the reason."""
    require(actor, ACTION_PERMISSION["reopen"])
    reason = _check_reason(reason, "reopen an obligation")
    (obligation,) = load_for_update(session, [obligation_id], expected_row_version)
    to_status = target_status(obligation_id, "reopen", obligation.status)
    before = _snapshot(obligation)
    guarded_update(session, obligation, status=to_status, status_reason=reason)
    _reopen_assignment(session, obligation_id)
    record_event(
        session,
        actor.username,
        "obligation.reopen",
        "obligation",
        obligation_id,
        before,
        _snapshot(obligation),
    )
    return obligation
