"""The append-only, hash-chained audit trail."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from obligations.timeutil import utcnow


class AuditEvent(SQLModel, table=True):
    """Who changed what, when, with the state before and after."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(index=True, max_length=200)
    action: str = Field(index=True, max_length=60)
    entity_type: str = Field(max_length=40)
    entity_id: str = Field(index=True, max_length=100)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(unique=True, max_length=64)
