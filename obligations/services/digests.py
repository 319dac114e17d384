"""Digests: what changed in the register since a recipient's last digest.

A change is a new obligation (``added``), an amended one (a new obligation that
supersedes an old one) or a removed one (superseded with no successor). An obligation is
removed when the audit trail says it was superseded, not when its row last changed.
Each recipient
(an owner, or a topic subscription) has a window ``(since, until]``: ``since`` is the
``until`` of its last digest (or ``digest_first_lookback_days`` ago), ``until`` is now
less ``digest_settle_seconds``, so a crawl's extraction that is still committing is
reported by the next digest instead of being skipped.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, cast
from sqlmodel import Session, col, select

from obligations.models import (
    AuditEvent,
    Delivery,
    Document,
    Obligation,
    ObligationTopic,
    Subscription,
    User,
)
from obligations.services.channels import mask_target
from obligations.services.supersession import SUPERSEDE_ACTION
from obligations.settings import Settings

logger = logging.getLogger(__name__)

DIGEST_KIND = "regwatch.digest"
KINDS = ("new", "amended", "removed")
WATERMARK_SCAN = 200


@dataclass
class Change:
    """One change to the register, in the shape a digest carries."""

    kind: str  # new | amended | removed
    obligation_id: int
    text: str
    modality: str
    topics: list[str]
    owner: str | None
    source_id: str
    document_id: int
    document_title: str | None
    document_url: str | None
    at: str
    previous_id: int | None = None
    previous_text: str | None = None


@dataclass
class Recipient:
    """Who receives a digest, through which channel, filtered how."""

    key: str  # "owner:alice" or "subscription:3"
    channel: str
    target: str
    topic: str | None = None
    owner: str | None = None
    label: str = ""
    changes: list[Change] = field(default_factory=list)


def _in_window(moment: datetime, since: datetime, until: datetime) -> bool:
    return since < moment <= until


def superseded_between(session: Session, since: datetime, until: datetime) -> dict[int, datetime]:
    """When each obligation superseded in ``(since, until]`` was superseded, by id.

    The audit trail's supersede events say when. An obligation superseded before those
    events were recorded has none: its ``updated_at`` stands in.
    """
    events = session.exec(
        select(AuditEvent.entity_id, AuditEvent.at).where(
            AuditEvent.action == SUPERSEDE_ACTION,
            col(AuditEvent.at) > since,
            col(AuditEvent.at) <= until,
        )
    ).all()
    when = {int(entity_id): at for entity_id, at in events}
    has_event = (
        select(AuditEvent.id)
        .where(
            AuditEvent.action == SUPERSEDE_ACTION,
            AuditEvent.entity_id == cast(Obligation.id, String),
        )
        .exists()
    )
    unrecorded = session.exec(
        select(Obligation.id, Obligation.updated_at).where(
            col(Obligation.superseded_by_version_id).is_not(None),
            col(Obligation.updated_at) > since,
            col(Obligation.updated_at) <= until,
            ~has_event,
        )
    ).all()
    return {**dict(unrecorded), **when}  # type: ignore[arg-type]


def changes_between(session: Session, since: datetime, until: datetime) -> list[Change]:
    """Every new, amended and removed obligation in ``(since, until]``."""
    created = session.exec(
        select(Obligation).where(
            col(Obligation.created_at) > since, col(Obligation.created_at) <= until
        )
    ).all()
    superseded_at = superseded_between(session, since, until)
    superseded = session.exec(
        select(Obligation).where(col(Obligation.id).in_(list(superseded_at) or [-1]))
    ).all()
    replaced_ids = {
        o.supersedes_id
        for o in session.exec(
            select(Obligation).where(
                col(Obligation.supersedes_id).in_([s.id for s in superseded] or [-1])
            )
        ).all()
    }
    entries: list[tuple[str, Obligation, Obligation | None]] = []
    for obligation in created:
        if obligation.change_kind == "amended" and obligation.supersedes_id:
            entries.append(
                ("amended", obligation, session.get(Obligation, obligation.supersedes_id))
            )
        else:
            entries.append(("new", obligation, None))
    entries += [("removed", o, None) for o in superseded if o.id not in replaced_ids]
    ids = [o.id for _, o, _ in entries] + [p.id for _, _, p in entries if p is not None]
    topics: dict[int, list[str]] = defaultdict(list)
    for obligation_id, topic in session.exec(
        select(ObligationTopic.obligation_id, ObligationTopic.topic).where(
            col(ObligationTopic.obligation_id).in_(ids or [-1])
        )
    ).all():
        topics[obligation_id].append(topic)
    changes = []
    for kind, obligation, previous in entries:
        document = session.get(Document, obligation.document_id)
        when = superseded_at[obligation.id] if kind == "removed" else obligation.created_at  # type: ignore[index]
        merged = set(topics[obligation.id]) | (set(topics[previous.id]) if previous else set())  # type: ignore[index]
        changes.append(
            Change(
                kind=kind,
                obligation_id=obligation.id,  # type: ignore[arg-type]
                text=obligation.text,
                modality=obligation.modality,
                topics=sorted(merged),
                owner=obligation.owner or (previous.owner if previous else None),
                source_id=obligation.source_id,
                document_id=obligation.document_id,
                document_title=document.title if document else None,
                document_url=document.url if document else None,
                at=when.isoformat(),
                previous_id=previous.id if previous else None,
                previous_text=previous.text if previous else None,
            )
        )
    return sorted(changes, key=lambda c: (KINDS.index(c.kind), c.obligation_id))


def owner_address(session: Session, owner: str) -> str | None:
    """An owner's email: their user's address, or the owner string if it is one."""
    user = session.exec(select(User).where(User.username == owner)).first()
    if user is not None and user.email:
        return user.email
    return owner if "@" in owner else None


def recipients(session: Session, owners: set[str]) -> list[Recipient]:
    """Every active topic subscription, and every owner in ``owners`` with an address."""
    found = [
        Recipient(
            key=f"subscription:{s.id}",
            channel=s.channel,
            target=s.target,
            topic=s.topic,
            label=f"topic {s.topic}" if s.topic else "all topics",
        )
        for s in session.exec(
            select(Subscription).where(col(Subscription.active).is_(True)).order_by(Subscription.id)
        ).all()
    ]
    for owner in sorted(owners):
        address = owner_address(session, owner)
        if address is None:
            logger.warning("owner %r has no email address: no digest for them", owner)
            continue
        found.append(
            Recipient(
                key=f"owner:{owner}",
                channel="email",
                target=address,
                owner=owner,
                label=f"obligations owned by {owner}",
            )
        )
    return found


def last_digest_until(session: Session, recipient: Recipient) -> datetime | None:
    """The end of the window of this recipient's latest digest, if any."""
    deliveries = session.exec(
        select(Delivery)
        .where(Delivery.channel == recipient.channel, Delivery.target == recipient.target)
        .order_by(col(Delivery.id).desc())
        .limit(WATERMARK_SCAN)
    ).all()
    for delivery in deliveries:
        payload = delivery.payload or {}
        if payload.get("kind") == DIGEST_KIND and payload.get("recipient") == recipient.key:
            return datetime.fromisoformat(payload["until"])
    return None


def _matches(recipient: Recipient, change: Change) -> bool:
    if recipient.owner is not None:
        return change.owner == recipient.owner
    return recipient.topic is None or recipient.topic in change.topics


def render_text(payload: dict[str, Any]) -> str:
    """The plain-text body of a digest email."""
    lines = [
        f"regwatch digest for {payload['label']}",
        f"changes from {payload['since']} to {payload['until']} (UTC)",
        "",
    ]
    for kind in KINDS:
        items = [c for c in payload["changes"] if c["kind"] == kind]
        if not items:
            continue
        lines.append(f"{kind.upper()} ({len(items)})")
        for change in items:
            where = change["document_title"] or change["document_url"] or change["source_id"]
            lines.append(f"- [{change['modality']}] #{change['obligation_id']} ({where})")
            lines.append(f"  {' '.join(change['text'].split())}")
            if change.get("previous_text"):
                lines.append(f"  was: {' '.join(change['previous_text'].split())}")
        lines.append("")
    return "\n".join(lines)


def subject_line(counts: dict[str, int], label: str) -> str:
    parts = [f"{counts[k]} {k}" for k in KINDS if counts.get(k)]
    return f"regwatch: {', '.join(parts)} ({label})"


def build_digests(session: Session, now: datetime, settings: Settings) -> list[Delivery]:
    """Queue one pending Delivery per recipient that has changes in its window."""
    until = now - timedelta(seconds=settings.digest_settle_seconds)
    first_since = until - timedelta(days=settings.digest_first_lookback_days)
    owners = set(
        session.exec(select(Obligation.owner).where(col(Obligation.owner).is_not(None))).all()
    )
    everyone = recipients(session, {o for o in owners if o})
    windows = {r.key: last_digest_until(session, r) or first_since for r in everyone}
    earliest = min(windows.values(), default=until)
    if earliest >= until:
        return []
    changes = changes_between(session, earliest, until)
    queued = []
    for recipient in everyone:
        since = windows[recipient.key]
        if since >= until:
            continue
        mine = [
            c for c in changes
            if _matches(recipient, c) and _in_window(datetime.fromisoformat(c.at), since, until)
        ]  # fmt: skip
        if not mine:
            continue
        counts = {kind: sum(c.kind == kind for c in mine) for kind in KINDS}
        payload = {
            "kind": DIGEST_KIND,
            "recipient": recipient.key,
            "label": recipient.label,
            "topic": recipient.topic,
            "owner": recipient.owner,
            "since": since.isoformat(),
            "until": until.isoformat(),
            "counts": counts,
            "changes": [asdict(c) for c in mine],
        }
        delivery = Delivery(
            channel=recipient.channel,
            target=recipient.target,
            subject=subject_line(counts, recipient.label),
            payload=payload,
            status="pending",
            next_attempt_at=now,
        )
        session.add(delivery)
        queued.append(delivery)
        logger.info(
            "digest queued for %s via %s %s: %s",
            recipient.key,
            recipient.channel,
            mask_target(recipient.channel, recipient.target),
            counts,
        )
    session.flush()
    return queued
