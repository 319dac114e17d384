"""The firm's internal controls and their mapping to obligations (many to many)."""

from datetime import datetime

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from obligations.timeutil import utcnow


class Control(SQLModel, table=True):
    """An internal control from the firm's control library."""

    id: str = Field(primary_key=True, max_length=100)
    title: str
    description: str | None = Field(default=None, sa_column=Column(Text))
    owner: str | None = Field(default=None, index=True, max_length=200)
    topics: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    references: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="active", max_length=20)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ObligationControl(SQLModel, table=True):
    """A reviewer's decision that a control covers (or does not cover) an obligation."""

    __table_args__ = (Index("ix_obligationcontrol_control", "control_id", "state"),)

    obligation_id: int = Field(foreign_key="obligation.id", primary_key=True)
    control_id: str = Field(foreign_key="control.id", primary_key=True, max_length=100)
    coverage: str = Field(default="full", max_length=10)  # full|partial
    state: str = Field(default="accepted", max_length=10)  # accepted|rejected
    decided_by: str | None = Field(default=None, max_length=200)
    decided_at: datetime = Field(default_factory=utcnow)
