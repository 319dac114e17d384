"""Documents and their insert-only versions."""

from datetime import date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from obligations.timeutil import utcnow


class Document(SQLModel, table=True):
    """One publication at one URL of one source."""

    __table_args__ = (UniqueConstraint("source_id", "url", name="uq_document_source_url"),)

    id: int | None = Field(default=None, primary_key=True)
    source_id: str = Field(foreign_key="source.id", index=True, max_length=100)
    url: str = Field(sa_column=Column(Text, nullable=False))
    title: str | None = None
    published_at: date | None = Field(default=None, index=True)
    language: str | None = Field(default=None, max_length=35)
    first_seen_at: datetime = Field(default_factory=utcnow)
    last_checked_at: datetime | None = None
    last_changed_at: datetime | None = Field(default=None, index=True)
    etag: str | None = None
    last_modified: str | None = None


class DocumentVersion(SQLModel, table=True):
    """The text of a document as fetched once; never updated after insert."""

    __table_args__ = (
        UniqueConstraint("document_id", "version_number", name="uq_version_document_number"),
        Index("ix_documentversion_fetched", "fetched_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    version_number: int
    fetched_at: datetime = Field(default_factory=utcnow)
    title: str | None = None
    content_sha256: str = Field(max_length=64)
    text: str = Field(sa_column=Column(Text, nullable=False))
    text_sha256: str = Field(index=True, max_length=64)
    normaliser_version: int
    # initial | changed | renormalised (same content, new normaliser: not a change to report)
    change_kind: str = Field(default="initial", max_length=20)
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    encoding: str | None = Field(default=None, max_length=40)
    final_url: str | None = Field(default=None, sa_column=Column(Text))
