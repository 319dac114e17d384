"""The typed item every spider yields: one fetched document."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass
class DocumentItem:
    """A fetched document before normalisation (``content`` is HTML or plain text)."""

    source_id: str
    url: str
    content: str
    content_format: str  # "html" | "text"
    body: bytes
    language: str | None = None
    title: str | None = None
    published_at: date | None = None
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    encoding: str | None = None
    final_url: str | None = None
    # Filled by the pipelines, in order: normalise → hash → store.
    text: str | None = None
    text_sha256: str | None = None
    content_sha256: str | None = None


@dataclass
class NotModifiedItem:
    """A known document answered 304 Not Modified: checked, unchanged."""

    source_id: str
    url: str
