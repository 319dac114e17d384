"""Users, their assignments and comments."""

from datetime import date, datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from obligations.timeutil import utcnow

ROLES = ("admin", "analyst", "owner", "auditor")


class User(SQLModel, table=True):
    """A person who signs in to the dashboard."""

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    display_name: str | None = None
    role: str = Field(max_length=20)
    password_hash: str | None = None
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class Assignment(SQLModel, table=True):
    """An obligation given to a control owner to act on by a due date."""

    __table_args__ = (Index("ix_assignment_owner_active", "owner_id", "active"),)

    id: int | None = Field(default=None, primary_key=True)
    obligation_id: int = Field(foreign_key="obligation.id", index=True)
    owner_id: int = Field(foreign_key="user.id")
    due_date: date | None = None
    assigned_by: str = Field(max_length=200)
    assigned_at: datetime = Field(default_factory=utcnow)
    active: bool = True
    completed_at: datetime | None = None


class Comment(SQLModel, table=True):
    """A remark on an obligation by a user."""

    id: int | None = Field(default=None, primary_key=True)
    obligation_id: int = Field(foreign_key="obligation.id", index=True)
    author: str = Field(max_length=200)
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
