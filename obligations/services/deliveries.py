"""Sending queued deliveries: claimed one at a time, retried with backoff, never dropped.

A Delivery is ``pending`` until its first attempt, ``sent`` once delivered and
``failed`` after a failed attempt; a failed delivery stays due again at
``next_attempt_at`` (backoff doubling up to ``delivery_retry_cap``) until it is sent.
Before sending, a delivery is claimed with a conditional update, so two senders (the
scheduler and ``regwatch notify``) never send the same one twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from obligations import db
from obligations.models import Delivery
from obligations.services.channels import DeliveryError, mask_target, post_webhook, send_email
from obligations.services.digests import render_text
from obligations.settings import Settings
from obligations.timeutil import utcnow

logger = logging.getLogger(__name__)

CLAIM_SECONDS = 300  # a claimed delivery is not due again for this long if the sender dies
BATCH = 100


@dataclass
class SendResult:
    """One delivery attempt, safe to print (target masked)."""

    id: int
    channel: str
    target: str
    status: str
    attempts: int
    last_error: str | None


def backoff(attempts: int, settings: Settings) -> timedelta:
    """The wait after ``attempts`` failed attempts."""
    seconds = settings.delivery_retry_base * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.delivery_retry_cap))


def due_ids(session: Session, now: datetime, force: bool = False) -> list[int]:
    """Deliveries not yet sent whose next attempt is due (all unsent ones with ``force``)."""
    query = select(Delivery.id).where(col(Delivery.status).in_(["pending", "failed"]))
    if not force:
        query = query.where(col(Delivery.next_attempt_at) <= now)
    return [i for i in session.exec(query.order_by(col(Delivery.id)).limit(BATCH)).all() if i]


def claim(session: Session, delivery_id: int, now: datetime) -> Delivery | None:
    """Take a delivery for sending unless another sender just did."""
    delivery = session.get(Delivery, delivery_id)
    if delivery is None or delivery.status == "sent":
        return None
    result = session.execute(
        update(Delivery)
        .where(
            col(Delivery.id) == delivery_id,
            col(Delivery.attempts) == delivery.attempts,
            col(Delivery.next_attempt_at) == delivery.next_attempt_at,
            col(Delivery.status) != "sent",
        )
        .values(next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS))
    )
    return delivery if result.rowcount == 1 else None  # type: ignore[attr-defined]


def transmit(delivery: Delivery, settings: Settings) -> None:
    """Send through the delivery's channel; DeliveryError when it did not go through."""
    if delivery.channel == "email":
        send_email(settings, delivery.target, delivery.subject, render_text(delivery.payload))
    elif delivery.channel == "webhook":
        post_webhook(settings, delivery.target, delivery.payload)
    else:
        raise DeliveryError(f"unknown channel {delivery.channel!r}")


def send_due(
    database_url: str | None,
    settings: Settings,
    now: Callable[[], datetime] = utcnow,
    force: bool = False,
) -> list[SendResult]:
    """Attempt every due delivery once; record each outcome in its own transaction."""
    with db.session_scope(database_url) as session:
        ids = due_ids(session, now(), force)
    results = []
    for delivery_id in ids:
        with db.session_scope(database_url) as session:
            delivery = claim(session, delivery_id, now())
        if delivery is None:
            continue
        error: str | None = None
        try:
            transmit(delivery, settings)
        except DeliveryError as exc:
            error = str(exc)
        except Exception as exc:  # a bug must not lose the delivery either
            error = f"{type(exc).__name__} while sending"
            logger.exception("delivery %s: unexpected error", delivery_id)
        with db.session_scope(database_url) as session:
            row = session.get(Delivery, delivery_id)
            assert row is not None
            row.attempts += 1
            if error is None:
                row.status, row.sent_at, row.last_error = "sent", now(), None
            else:
                row.status, row.last_error = "failed", error
                row.next_attempt_at = now() + backoff(row.attempts, settings)
            session.add(row)
            shown = mask_target(row.channel, row.target)
            results.append(
                SendResult(row.id, row.channel, shown, row.status, row.attempts, row.last_error)  # type: ignore[arg-type]
            )
        if error is None:
            logger.info("delivery %s sent via %s to %s", delivery_id, delivery.channel, shown)
        else:
            logger.warning("delivery %s failed (attempt %s): %s", delivery_id, row.attempts, error)
    return results
