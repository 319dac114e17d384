"""Storing fetched documents as versions, and reading them back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import event, func
from sqlmodel import Session, col, select

from obligations.errors import NotFoundError
from obligations.models import Document, DocumentVersion
from obligations.text.normalise import NORMALISER_VERSION, text_sha256
from obligations.timeutil import utcnow


@event.listens_for(DocumentVersion, "before_update")
def _refuse_version_update(_mapper, _connection, target: DocumentVersion) -> None:  # type: ignore[no-untyped-def]
    raise RuntimeError(f"document versions are insert-only (version {target.id})")


@dataclass(frozen=True)
class FetchedDocument:
    """What the crawler fetched for one document, already normalised."""

    source_id: str
    url: str
    text: str
    content_sha256: str
    title: str | None = None
    published_at: date | None = None
    language: str | None = None
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    encoding: str | None = None
    final_url: str | None = None


@dataclass(frozen=True)
class StoreOutcome:
    """``new`` (first version), ``changed``, ``renormalised`` or ``unchanged``."""

    kind: str
    document_id: int
    version_id: int | None


def latest_version(session: Session, document_id: int) -> DocumentVersion | None:
    """The newest version of a document."""
    return session.exec(
        select(DocumentVersion)
        .where(DocumentVersion.document_id == document_id)
        .order_by(col(DocumentVersion.version_number).desc())
        .limit(1)
    ).first()


def store_fetched_document(session: Session, fetched: FetchedDocument) -> StoreOutcome:
    """Record a fetch: a new version only when the normalised text changed."""
    now = utcnow()
    document = session.exec(
        select(Document).where(Document.source_id == fetched.source_id, Document.url == fetched.url)
    ).first()
    if document is None:
        document = Document(
            source_id=fetched.source_id,
            url=fetched.url,
            title=fetched.title,
            published_at=fetched.published_at,
            language=fetched.language,
            first_seen_at=now,
        )
        session.add(document)
        session.flush()
        previous = None
    else:
        previous = latest_version(session, document.id)  # type: ignore[arg-type]
    document.last_checked_at = now
    document.etag = fetched.etag
    document.last_modified = fetched.last_modified
    document.title = fetched.title or document.title
    document.published_at = fetched.published_at or document.published_at
    session.add(document)

    digest = text_sha256(fetched.text)
    if previous is not None and previous.text_sha256 == digest:
        return StoreOutcome("unchanged", document.id, None)  # type: ignore[arg-type]
    if previous is None:
        kind = "new"
    elif previous.normaliser_version != NORMALISER_VERSION:
        kind = "renormalised"
    else:
        kind = "changed"
    version = DocumentVersion(
        document_id=document.id,  # type: ignore[arg-type]
        version_number=(previous.version_number + 1) if previous else 1,
        fetched_at=now,
        title=fetched.title,
        content_sha256=fetched.content_sha256,
        text=fetched.text,
        text_sha256=digest,
        normaliser_version=NORMALISER_VERSION,
        change_kind={"new": "initial"}.get(kind, kind),
        http_status=fetched.http_status,
        etag=fetched.etag,
        last_modified=fetched.last_modified,
        content_type=fetched.content_type,
        encoding=fetched.encoding,
        final_url=fetched.final_url,
    )
    session.add(version)
    if kind == "changed" or kind == "new":
        document.last_changed_at = now
    session.flush()
    return StoreOutcome(kind, document.id, version.id)  # type: ignore[arg-type]


def mark_not_modified(session: Session, source_id: str, url: str) -> bool:
    """A 304 for a known document: note the check; return whether it was known."""
    document = session.exec(
        select(Document).where(Document.source_id == source_id, Document.url == url)
    ).first()
    if document is None:
        return False
    document.last_checked_at = utcnow()
    session.add(document)
    return True


def document_validators(
    session: Session, source_id: str
) -> dict[str, tuple[str | None, str | None]]:
    """``{url: (etag, last_modified)}`` for conditional GETs of a source's documents."""
    rows = session.exec(
        select(Document.url, Document.etag, Document.last_modified).where(
            Document.source_id == source_id
        )
    ).all()
    return {url: (etag, modified) for url, etag, modified in rows if etag or modified}


def documents_to_recheck(
    session: Session, source_id: str, newest: int = 20, rotating: int = 30
) -> list[str]:
    """URLs to re-check when a source's listing is unchanged (304): amendments to a
    document do not always touch the listing.

    The ``newest`` documents (most often corrected) plus the ``rotating`` ones checked
    longest ago, so that every known document is re-checked every few crawls while an
    unchanged recrawl stays a small fraction of a full one.
    """
    chosen = list(
        session.exec(
            select(Document.url)
            .where(Document.source_id == source_id)
            .order_by(col(Document.first_seen_at).desc(), col(Document.id).desc())
            .limit(newest)
        ).all()
    )
    if rotating > 0:
        oldest_checked = session.exec(
            select(Document.url)
            .where(Document.source_id == source_id, col(Document.url).not_in(chosen))
            .order_by(col(Document.last_checked_at).asc().nulls_first(), col(Document.id))
            .limit(rotating)
        ).all()
        chosen += oldest_checked
    return chosen


def latest_versions_fetched_since(session: Session, source_id: str, since: datetime) -> list[int]:
    """Ids of the latest versions of a source's documents that changed at or after ``since``."""
    latest = (
        select(DocumentVersion.document_id, func.max(DocumentVersion.version_number).label("n"))
        .join(Document, col(Document.id) == DocumentVersion.document_id)
        .where(Document.source_id == source_id)
        .group_by(DocumentVersion.document_id)
        .subquery()
    )
    return list(
        session.exec(
            select(DocumentVersion.id)
            .join(
                latest,
                (DocumentVersion.document_id == latest.c.document_id)
                & (DocumentVersion.version_number == latest.c.n),
            )
            .where(DocumentVersion.fetched_at >= since)
            .order_by(col(DocumentVersion.id))
        ).all()
    )


def list_documents(
    session: Session, source_ids: list[str] | None = None, limit: int | None = None
) -> list[dict]:
    """Rows for ``regwatch documents list``."""
    counts = (
        select(
            DocumentVersion.document_id,
            func.count().label("versions"),
            func.max(DocumentVersion.version_number).label("latest"),
        )
        .group_by(DocumentVersion.document_id)
        .subquery()
    )
    query = (
        select(Document, counts.c.versions, DocumentVersion.text_sha256)
        .join(counts, counts.c.document_id == Document.id)
        .join(
            DocumentVersion,
            (DocumentVersion.document_id == Document.id)
            & (DocumentVersion.version_number == counts.c.latest),
        )
        .order_by(col(Document.id))
    )
    if source_ids:
        query = query.where(col(Document.source_id).in_(source_ids))
    if limit:
        query = query.limit(limit)
    return [
        {
            "id": document.id,
            "source_id": document.source_id,
            "url": document.url,
            "title": document.title,
            "published_at": document.published_at.isoformat() if document.published_at else None,
            "language": document.language,
            "versions": versions,
            "text_sha256": sha,
        }
        for document, versions, sha in session.exec(query).all()
    ]


def get_versions(session: Session, document_id: int) -> list[DocumentVersion]:
    """All versions of a document, oldest first; NotFoundError if it does not exist."""
    if session.get(Document, document_id) is None:
        raise NotFoundError(f"no document with id {document_id}")
    return list(
        session.exec(
            select(DocumentVersion)
            .where(DocumentVersion.document_id == document_id)
            .order_by(col(DocumentVersion.version_number))
        ).all()
    )
