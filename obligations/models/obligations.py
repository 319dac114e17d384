"""Obligations: normative statements extracted from a document version."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from obligations.timeutil import utcnow


class Obligation(SQLModel, table=True):
    """One normative statement and its place in the review workflow."""

    __table_args__ = (
        Index("ix_obligation_status_created", "status", "created_at"),
        Index("ix_obligation_source_status", "source_id", "status"),
        # Covering indexes of the gap summary, led by the column it groups by.
        Index("ix_obligation_gap_source", "source_id", "superseded_by_version_id", "status",
              "coverage"),
        Index("ix_obligation_gap_owner", "owner", "superseded_by_version_id", "status", "coverage"),
    )  # fmt: skip

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    source_id: str = Field(foreign_key="source.id", max_length=100)
    document_version_id: int = Field(foreign_key="documentversion.id", index=True)
    superseded_by_version_id: int | None = Field(default=None, foreign_key="documentversion.id")
    supersedes_id: int | None = Field(default=None, foreign_key="obligation.id")
    change_kind: str = Field(default="added", max_length=20)  # added|amended
    statement_key: str = Field(index=True, max_length=64)
    text: str = Field(sa_column=Column(Text, nullable=False))
    start: int
    end: int
    language: str = Field(default="en", max_length=35)
    modality: str = Field(index=True, max_length=20)
    confidence: float = 0.0
    entities: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    retention_period_days: int | None = None
    status: str = Field(default="new", max_length=20)
    status_reason: str | None = None
    owner: str | None = Field(default=None, index=True, max_length=200)
    due_date: date | None = None
    # none|partial|full: the best accepted control mapping, kept by services.mapping.
    coverage: str = Field(default="none", max_length=10)
    row_version: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ObligationTopic(SQLModel, table=True):
    """One topic label of an obligation (a table, so the register filters by index)."""

    __table_args__ = (Index("ix_obligationtopic_topic_obligation", "topic", "obligation_id"),)

    obligation_id: int = Field(foreign_key="obligation.id", primary_key=True)
    topic: str = Field(primary_key=True, index=True, max_length=40)
