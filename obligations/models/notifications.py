"""Who wants to hear about changes, and every notification sent or still owed."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from obligations.timeutil import utcnow


class Subscription(SQLModel, table=True):
    """A digest subscription: a topic (or all, when None) to an email or a webhook."""

    id: int | None = Field(default=None, primary_key=True)
    username: str | None = Field(default=None, index=True, max_length=200)
    topic: str | None = Field(default=None, max_length=40)
    channel: str = Field(max_length=20)  # email|webhook
    target: str = Field(sa_column=Column(Text, nullable=False))
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class Delivery(SQLModel, table=True):
    """One notification to send; kept until delivered, with every failed attempt counted."""

    __table_args__ = (Index("ix_delivery_status_next", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    target: str = Field(sa_column=Column(Text, nullable=False))
    subject: str
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", max_length=20)  # pending|sent|failed
    attempts: int = 0
    last_error: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    next_attempt_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
