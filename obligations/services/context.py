"""One obligation in its context: the text around it, its document, its source."""

from __future__ import annotations

from sqlmodel import Session, col, select

from obligations.errors import NotFoundError
from obligations.models import Document, DocumentVersion, Obligation, ObligationControl, Source
from obligations.services.register import register_rows


def obligation_context(session: Session, obligation_id: int, width: int = 300) -> dict:
    """The register row plus ``before``/``after`` text, document title, URL and source."""
    obligation = session.get(Obligation, obligation_id)
    if obligation is None:
        raise NotFoundError(f"no obligation with id {obligation_id}")
    version = session.get(DocumentVersion, obligation.document_version_id)
    document = session.get(Document, obligation.document_id)
    source = session.get(Source, obligation.source_id)
    text = version.text if version else ""
    start, end = max(obligation.start, 0), min(obligation.end, len(text))
    row = register_rows(session, [obligation])[0]
    return {
        **row,
        "before": text[max(0, start - width) : start],
        "after": text[end : end + width],
        "document_title": (document.title if document else None) or "",
        "url": document.url if document else "",
        "source_name": source.name if source else obligation.source_id,
        "jurisdiction": source.jurisdiction if source else "",
        "version_number": version.version_number if version else None,
        "change_kind": obligation.change_kind,
        "due_date": obligation.due_date,
        "row_version": obligation.row_version,
        "confidence": obligation.confidence,
        "entities": obligation.entities,
    }


def obligations_for_control(session: Session, control_id: str, limit: int = 500) -> list[dict]:
    """Register rows of the obligations a control covers (accepted mappings), newest first."""
    covered = select(ObligationControl.obligation_id).where(
        ObligationControl.control_id == control_id, ObligationControl.state == "accepted"
    )
    obligations = session.exec(
        select(Obligation)
        .where(col(Obligation.id).in_(covered))
        .order_by(col(Obligation.id).desc())
        .limit(limit)
    ).all()
    return register_rows(session, list(obligations))
