"""Sources (what is watched) and crawl runs (each time one was crawled)."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from obligations.timeutil import utcnow


class Source(SQLModel, table=True):
    """A publication regwatch watches, as defined in a sources TOML file."""

    id: str = Field(primary_key=True, max_length=100)
    name: str
    authority: str
    authority_kind: str = Field(index=True, max_length=40)
    jurisdiction: str = Field(index=True, max_length=10)
    language: str = Field(max_length=35)
    kind: str = Field(max_length=20)
    url: str
    schedule: str | None = None
    enabled: bool = True
    definition: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Conditional-GET validators of listing/feed pages: {url: {"etag": …, "last_modified": …}}.
    http_validators: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    last_status: str | None = Field(default=None, max_length=20)
    last_run_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class CrawlRun(SQLModel, table=True):
    """One crawl of one source: its outcome and counters."""

    __table_args__ = (Index("ix_crawlrun_source_started", "source_id", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    source_id: str = Field(foreign_key="source.id", max_length=100)
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    status: str = Field(default="running", max_length=20)  # running|ok|failed|blocked|interrupted
    error: str | None = None
    trigger: str = Field(default="manual", max_length=20)
    worker: str | None = Field(default=None, max_length=200)  # host:pid of the crawl process
    requests: int = 0
    not_modified: int = 0
    new_documents: int = 0
    new_versions: int = 0
    unchanged: int = 0
    errors: int = 0
    duration_seconds: float | None = None
