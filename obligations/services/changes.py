"""The change feed: new document versions, newest first, and what each one changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, col, select

from obligations.errors import NotFoundError
from obligations.models import Document, DocumentVersion, Obligation, ObligationTopic, Source
from obligations.services.register import register_rows
from obligations.text.diff import DiffSegment, word_diff

# Versions that are a change a reader cares about (a renormalised version is not).
REPORTED_KINDS = ("initial", "changed")


@dataclass(frozen=True)
class ChangeFilter:
    """Filters of the change feed; None means "any"."""

    source_id: str | None = None
    authority_kind: str | None = None
    jurisdiction: str | None = None
    topic: str | None = None
    since: datetime | None = None
    changed_only: bool = False


def list_changes(
    session: Session, filters: ChangeFilter | None = None, limit: int = 50, offset: int = 0
) -> list[dict]:
    """A page of the feed: one row per new version, newest first."""
    filters = filters or ChangeFilter()
    kinds = ("changed",) if filters.changed_only else REPORTED_KINDS
    query = (
        select(DocumentVersion, Document, Source)
        .join(Document, col(Document.id) == DocumentVersion.document_id)
        .join(Source, col(Source.id) == Document.source_id)
        .where(col(DocumentVersion.change_kind).in_(kinds))
    )
    if filters.source_id:
        query = query.where(Document.source_id == filters.source_id)
    if filters.authority_kind:
        query = query.where(Source.authority_kind == filters.authority_kind)
    if filters.jurisdiction:
        query = query.where(Source.jurisdiction == filters.jurisdiction)
    if filters.since:
        query = query.where(DocumentVersion.fetched_at >= filters.since)
    if filters.topic:
        with_topic = (
            select(Obligation.document_id)
            .join(ObligationTopic, col(ObligationTopic.obligation_id) == Obligation.id)
            .where(ObligationTopic.topic == filters.topic)
        )
        query = query.where(col(Document.id).in_(with_topic))
    query = query.order_by(
        col(DocumentVersion.fetched_at).desc(), col(DocumentVersion.id).desc()
    ).offset(offset)
    rows = session.exec(query.limit(limit)).all()
    return [
        {
            "version_id": version.id,
            "document_id": document.id,
            "version_number": version.version_number,
            "change_kind": version.change_kind,
            "fetched_at": version.fetched_at,
            "title": version.title or document.title or document.url,
            "url": document.url,
            "source_id": source.id,
            "source_name": source.name,
            "authority": source.authority,
            "authority_kind": source.authority_kind,
            "jurisdiction": source.jurisdiction,
        }
        for version, document, source in rows
    ]


@dataclass
class ChangeDetail:
    """One version next to the one before it, and the obligations it changed."""

    version_id: int
    document_id: int
    version_number: int
    previous_version_number: int | None
    old_text: str
    new_text: str
    segments: list[DiffSegment]
    added: list[dict]
    amended: list[dict]
    removed: list[dict]


def _obligations_where(session: Session, condition: ColumnElement[bool]) -> list[Obligation]:
    return list(session.exec(select(Obligation).where(condition).order_by(col(Obligation.id))))


def change_detail(session: Session, version_id: int) -> ChangeDetail:
    """The word diff of a version against its predecessor and its register changes."""
    version = session.get(DocumentVersion, version_id)
    if version is None:
        raise NotFoundError(f"no document version {version_id}")
    previous = session.exec(
        select(DocumentVersion)
        .where(
            DocumentVersion.document_id == version.document_id,
            DocumentVersion.version_number < version.version_number,
        )
        .order_by(col(DocumentVersion.version_number).desc())
        .limit(1)
    ).first()
    old_text = previous.text if previous else ""
    created = _obligations_where(session, Obligation.document_version_id == version_id)
    superseded = _obligations_where(session, Obligation.superseded_by_version_id == version_id)
    replaced = {o.supersedes_id for o in created if o.supersedes_id is not None}
    amended_rows = register_rows(session, [o for o in created if o.change_kind == "amended"])
    previous_text = {o.id: o.text for o in superseded}
    by_id = {o.id: o for o in created}
    for row in amended_rows:
        row["previous_text"] = previous_text.get(by_id[row["id"]].supersedes_id, "")
    return ChangeDetail(
        version_id=version_id,
        document_id=version.document_id,
        version_number=version.version_number,
        previous_version_number=previous.version_number if previous else None,
        old_text=old_text,
        new_text=version.text,
        segments=word_diff(old_text, version.text),
        added=register_rows(session, [o for o in created if o.change_kind != "amended"]),
        amended=amended_rows,
        removed=register_rows(session, [o for o in superseded if o.id not in replaced]),
    )


def feed_choices(session: Session) -> dict[str, list[str]]:
    """The values the feed's filters offer: source ids, authority kinds, jurisdictions."""
    sources = session.exec(select(Source).order_by(col(Source.id))).all()
    return {
        "source_id": [s.id for s in sources],
        "authority_kind": sorted({s.authority_kind for s in sources}),
        "jurisdiction": sorted({s.jurisdiction for s in sources}),
    }
