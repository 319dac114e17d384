"""Change-aware extraction: obligations follow a document from version to version.

When a document gets a new version its statements are aligned with the obligations
still in force from earlier versions: an identical statement keeps its obligation
(with owner and mappings); a close one (fuzzy match) becomes a new obligation marked
``amended`` that supersedes the old; an old one with no match is superseded
(removed); anything left is ``added``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz
from sqlmodel import Session, col, select

from obligations.models import Document, DocumentVersion, Obligation, ObligationTopic
from obligations.nlp.extract import Statement, extract_statements
from obligations.services.supersession import supersede_obligation

AMENDMENT_SIMILARITY = 70.0


@dataclass
class ChangeSummary:
    """What one version's extraction did to the register."""

    version_id: int
    added: list[int] = field(default_factory=list)
    amended: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)


def statement_key(text: str) -> str:
    """A hash that ignores case, spacing and punctuation differences."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = re.sub(r"[\W_]+", "", folded)
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def _in_force(session: Session, document_id: int) -> list[Obligation]:
    return list(
        session.exec(
            select(Obligation).where(
                Obligation.document_id == document_id,
                col(Obligation.superseded_by_version_id).is_(None),
            )
        ).all()
    )


def _new_obligation(
    session: Session,
    version: DocumentVersion,
    document: Document,
    statement: Statement,
    supersedes: Obligation | None,
) -> Obligation:
    obligation = Obligation(
        document_id=document.id,  # type: ignore[arg-type]
        source_id=document.source_id,
        document_version_id=version.id,  # type: ignore[arg-type]
        supersedes_id=supersedes.id if supersedes else None,
        change_kind="amended" if supersedes else "added",
        statement_key=statement_key(statement.text),
        text=statement.text,
        start=statement.start,
        end=statement.end,
        language=statement.language,
        modality=statement.modality,
        confidence=statement.confidence,
        entities=statement.entities,
        retention_period_days=statement.entities.get("retention_period_days"),
    )
    session.add(obligation)
    session.flush()
    for topic in dict.fromkeys(statement.topics):
        session.add(ObligationTopic(obligation_id=obligation.id, topic=topic))  # type: ignore[arg-type]
    return obligation


def extract_for_version(session: Session, version_id: int) -> ChangeSummary:
    """Extract a version's statements and reconcile them with the register."""
    version = session.get(DocumentVersion, version_id)
    if version is None:
        raise ValueError(f"no document version {version_id}")
    document = session.get(Document, version.document_id)
    assert document is not None
    language = document.language if document.language in ("en", "zh") else "auto"
    statements = extract_statements(version.text, language)
    summary = ChangeSummary(version_id=version_id)

    # A statement may occur twice in a document: keep every in-force obligation per key,
    # so that extracting the same text again (after a crash) changes nothing.
    previous: dict[str, list[Obligation]] = {}
    for obligation in _in_force(session, document.id):  # type: ignore[arg-type]
        previous.setdefault(obligation.statement_key, []).append(obligation)
    unmatched: list[Statement] = []
    for statement in statements:
        same = previous.get(statement_key(statement.text))
        if same:
            summary.unchanged.append(same.pop(0).id)  # type: ignore[arg-type]
        else:
            unmatched.append(statement)

    leftovers = [obligation for group in previous.values() for obligation in group]
    for statement in unmatched:
        best, best_score = None, AMENDMENT_SIMILARITY
        for candidate in leftovers:
            score = fuzz.ratio(statement.text, candidate.text)
            if score >= best_score:
                best, best_score = candidate, score
        if best is not None:
            leftovers.remove(best)
            supersede_obligation(session, best, version.id)  # type: ignore[arg-type]
            amended = _new_obligation(session, version, document, statement, supersedes=best)
            summary.amended.append(amended.id)  # type: ignore[arg-type]
        else:
            added = _new_obligation(session, version, document, statement, supersedes=None)
            summary.added.append(added.id)  # type: ignore[arg-type]
    for removed in leftovers:
        supersede_obligation(session, removed, version.id)  # type: ignore[arg-type]
        summary.removed.append(removed.id)  # type: ignore[arg-type]
    session.flush()
    return summary
