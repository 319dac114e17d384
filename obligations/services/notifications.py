"""Subscriptions to digests, and the notification tick (queue digests, send what is due)."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlmodel import Session, col, select

from obligations import db
from obligations.errors import ConfigError, NotFoundError
from obligations.models import Subscription, User
from obligations.services.audit import record_event
from obligations.services.channels import CHANNELS, mask_target
from obligations.services.deliveries import SendResult, send_due
from obligations.services.digests import build_digests
from obligations.services.users import require
from obligations.settings import Settings
from obligations.taxonomy import TOPICS
from obligations.timeutil import utcnow

logger = logging.getLogger(__name__)

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _check(topic: str | None, channel: str, target: str) -> None:
    if topic is not None and topic not in TOPICS:
        raise ConfigError(f"unknown topic {topic!r}: see taxonomy.md for the topic ids")
    if channel not in CHANNELS:
        raise ConfigError(f"unknown channel {channel!r}: expected email or webhook")
    if channel == "email" and not EMAIL_PATTERN.match(target):
        raise ConfigError(f"not an email address: {target!r}")
    if channel == "webhook":
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"webhook must be an http(s) URL: {mask_target('webhook', target)}")


def public_row(subscription: Subscription) -> dict[str, Any]:
    """A subscription as shown to people: webhook URLs masked."""
    return {
        "id": subscription.id,
        "topic": subscription.topic,
        "channel": subscription.channel,
        "target": mask_target(subscription.channel, subscription.target),
        "username": subscription.username,
        "active": subscription.active,
        "created_at": subscription.created_at.isoformat(),
    }


def _actor_name(actor: User | None) -> str:
    return actor.username if actor is not None else "cli"


def add_subscription(
    session: Session,
    topic: str | None,
    channel: str,
    target: str,
    actor: User | None = None,
    username: str | None = None,
) -> Subscription:
    """Subscribe an address to a topic's digest (all topics when ``topic`` is None).

    ``actor`` None is the local command line (the operator of the server).
    """
    if actor is not None:
        require(actor, "manage_subscriptions")
    _check(topic, channel, target)
    subscription = Subscription(
        topic=topic, channel=channel, target=target, username=username, active=True
    )
    session.add(subscription)
    session.flush()
    record_event(
        session, _actor_name(actor), "subscription.add", "subscription", subscription.id or 0,
        None, public_row(subscription),
    )  # fmt: skip
    return subscription


def deactivate_subscription(
    session: Session, subscription_id: int, actor: User | None = None
) -> Subscription:
    """Stop a subscription (kept for the record and its deliveries)."""
    if actor is not None:
        require(actor, "manage_subscriptions")
    subscription = session.get(Subscription, subscription_id)
    if subscription is None:
        raise NotFoundError(f"no subscription {subscription_id}")
    before = public_row(subscription)
    subscription.active = False
    session.add(subscription)
    record_event(
        session, _actor_name(actor), "subscription.remove", "subscription", subscription_id,
        before, public_row(subscription),
    )  # fmt: skip
    return subscription


def list_subscriptions(session: Session, include_inactive: bool = False) -> list[dict[str, Any]]:
    """Subscriptions as public rows, oldest first."""
    query = select(Subscription).order_by(col(Subscription.id))
    if not include_inactive:
        query = query.where(col(Subscription.active).is_(True))
    return [public_row(s) for s in session.exec(query).all()]


def notification_tick(
    database_url: str | None,
    settings: Settings,
    now: datetime | None = None,
    force: bool = False,
) -> list[SendResult]:
    """Queue the digests that are due, then attempt every due delivery once."""
    moment = now or utcnow()
    with db.session_scope(database_url) as session:
        build_digests(session, moment, settings)
    return send_due(database_url, settings, (lambda: moment) if now else utcnow, force=force)
