"""Creating sources, documents and obligations directly, for service tests."""

from __future__ import annotations

import hashlib

from sqlmodel import Session

from obligations.models import Document, DocumentVersion, Obligation, ObligationTopic, Source


def add_source(session: Session, source_id: str, jurisdiction: str = "US") -> Source:
    """A minimal source row."""
    source = Source(
        id=source_id,
        name=source_id,
        authority=source_id.upper(),
        authority_kind="regulator",
        jurisdiction=jurisdiction,
        language="en",
        kind="page",
        url=f"http://127.0.0.1/{source_id}",
    )
    session.add(source)
    session.flush()
    return source


def add_obligation(
    session: Session,
    source: Source,
    text: str,
    topics: list[str],
    *,
    owner: str | None = None,
    status: str = "new",
    language: str = "en",
) -> Obligation:
    """An obligation in its own one-version document."""
    document = Document(
        source_id=source.id, url=f"http://127.0.0.1/{source.id}/{len(text)}/{hash(text)}"
    )
    session.add(document)
    session.flush()
    digest = hashlib.sha256(text.encode()).hexdigest()
    version = DocumentVersion(
        document_id=document.id,
        version_number=1,
        content_sha256=digest,
        text=text,
        text_sha256=digest,
        normaliser_version=1,
    )
    session.add(version)
    session.flush()
    obligation = Obligation(
        document_id=document.id,
        source_id=source.id,
        document_version_id=version.id,
        statement_key=digest,
        text=text,
        start=0,
        end=len(text),
        language=language,
        modality="obligation",
        owner=owner,
        status=status,
    )
    session.add(obligation)
    session.flush()
    for topic in topics:
        session.add(ObligationTopic(obligation_id=obligation.id, topic=topic))
    session.flush()
    return obligation
