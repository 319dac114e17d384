"""Taking an obligation out of force when a newer document version drops or amends it.

The change is audited like the review workflow's moves: the ``obligation.supersede``
event is the record of when the obligation left the register (digests report removals
by it, since ``Obligation.updated_at`` moves with any later edit).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from obligations.models import Obligation
from obligations.services.audit import record_event
from obligations.timeutil import utcnow

SUPERSEDE_ACTION = "obligation.supersede"
EXTRACTION_ACTOR = "extraction"


def _state(obligation: Obligation) -> dict[str, object]:
    return {
        "status": obligation.status,
        "superseded_by_version_id": obligation.superseded_by_version_id,
        "row_version": obligation.row_version,
    }


def supersede_obligation(
    session: Session, obligation: Obligation, version_id: int, now: datetime | None = None
) -> None:
    """Mark ``obligation`` superseded by document version ``version_id``, audited.

    The row is re-read (and locked where the database can) first, so a reviewer's edit
    committed since extraction loaded it is built on, not overwritten: the row version
    moves past theirs and the audit shows the state actually replaced.
    """
    now = now or utcnow()
    session.refresh(obligation, with_for_update=True)
    before = _state(obligation)
    obligation.superseded_by_version_id = version_id
    obligation.status = "superseded"
    obligation.updated_at = now
    obligation.row_version += 1
    session.add(obligation)
    record_event(
        session,
        EXTRACTION_ACTOR,
        SUPERSEDE_ACTION,
        "obligation",
        obligation.id,  # type: ignore[arg-type]
        before,
        _state(obligation),
        at=now,
    )
