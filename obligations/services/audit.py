"""The append-only, hash-chained audit trail: record events and verify the chain.

Each event's hash covers its content and the previous event's hash, so editing or
deleting any event breaks every hash after it. ``record_event`` is the only writer.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, text
from sqlmodel import Session, col, select

from obligations.models import AuditEvent
from obligations.timeutil import utcnow

GENESIS_HASH = "0" * 64
# pg_advisory_xact_lock key serialising appends to the chain ("audit" in ASCII).
CHAIN_LOCK_KEY = 0x6175646974


def _canonical_time(moment: datetime) -> str:
    """A timestamp string that survives a round trip through SQLite and PostgreSQL."""
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds")


def event_hash(event: AuditEvent) -> str:
    """The SHA-256 of the event's content chained to ``event.prev_hash``."""
    payload = json.dumps(
        {
            "at": _canonical_time(event.at),
            "actor": event.actor,
            "action": event.action,
            "entity_type": event.entity_type,
            "entity_id": event.entity_id,
            "before": event.before,
            "after": event.after,
            "prev_hash": event.prev_hash,
        },
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _json_safe(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """Round-trip through JSON so the stored value and the hashed value agree."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=str, sort_keys=True))


def record_event(
    session: Session,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str | int,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction.

    ``at`` is when the change happened (default now): a caller that stamped the changed
    row with a time passes the same one, so the row and its event agree.
    """
    _lock_chain(session)
    previous = session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(1)).first()
    event = AuditEvent(
        at=at or utcnow(),
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        before=_json_safe(before),
        after=_json_safe(after),
        prev_hash=previous.hash if previous else GENESIS_HASH,
        hash="",
    )
    event.hash = event_hash(event)
    session.add(event)
    session.flush()
    return event


def _lock_chain(session: Session) -> None:
    """Hold the chain's lock until the transaction ends, before reading its last hash.

    Without it two concurrent writers read the same last event and both chain to it,
    forking the chain so that it no longer verifies. PostgreSQL: a transaction-scoped
    advisory lock. SQLite: take the database write lock now (``BEGIN IMMEDIATE``)
    rather than at the insert; a transaction that has already written holds it.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})
    elif connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        if raw is not None and not raw.in_transaction:
            raw.execute("BEGIN IMMEDIATE")


@dataclass(frozen=True)
class ChainReport:
    """The result of verifying the audit chain."""

    events: int
    ok: bool
    first_bad_id: int | None = None
    reason: str | None = None


def verify_chain(session: Session) -> ChainReport:
    """Recompute every hash in order; report the first event that does not match."""
    previous_hash = GENESIS_HASH
    count = 0
    for event in session.exec(select(AuditEvent).order_by(col(AuditEvent.id))):
        count += 1
        if event.prev_hash != previous_hash:
            return ChainReport(count, False, event.id, "an event before it was edited or deleted")
        if event_hash(event) != event.hash:
            return ChainReport(count, False, event.id, "its content was edited")
        previous_hash = event.hash
    return ChainReport(count, True)


def list_events(
    session: Session,
    actor: str | None = None,
    entity_type: str | None = None,
    entity_id: str | None = None,
    limit: int = 500,
) -> list[AuditEvent]:
    """The newest events first, optionally filtered."""
    query = select(AuditEvent)
    if actor:
        query = query.where(AuditEvent.actor == actor)
    if entity_type:
        query = query.where(AuditEvent.entity_type == entity_type)
    if entity_id:
        query = query.where(AuditEvent.entity_id == str(entity_id))
    return list(session.exec(query.order_by(col(AuditEvent.id).desc()).limit(limit)))


def count_events(session: Session) -> int:
    """How many events the trail holds."""
    return session.exec(select(func.count()).select_from(AuditEvent)).one()
