"""Extracting a version again (the crash-recovery path) neither adds nor drops obligations."""

from __future__ import annotations

from sqlmodel import Session, col, select

from obligations.models import Obligation
from obligations.services.documents import FetchedDocument, store_fetched_document
from obligations.services.extraction import extract_for_version
from obligations.services.sources import upsert_sources

SOURCE = {
    "id": "s", "name": "S", "authority": "A", "authority_kind": "regulator",
    "jurisdiction": "US", "language": "en", "kind": "page", "url": "https://x.test/a",
}  # fmt: skip
REPEATED = (
    "Member firms must retain order tickets for six years.\n"
    "Firms should review their procedures annually.\n"
    "Member firms must retain order tickets for six years."
)


def _store(session: Session, text: str) -> int:
    outcome = store_fetched_document(
        session,
        FetchedDocument(source_id="s", url="https://x.test/a", text=text, content_sha256="0"),
    )
    assert outcome.version_id is not None
    return outcome.version_id


def test_extracting_twice_changes_nothing_even_with_a_repeated_statement(session: Session) -> None:
    upsert_sources(session, [SOURCE])
    version_id = _store(session, REPEATED)
    first = extract_for_version(session, version_id)
    assert len(first.added) == 3
    again = extract_for_version(session, version_id)
    assert (again.added, again.amended, again.removed) == ([], [], [])
    assert sorted(again.unchanged) == sorted(first.added)

    # The next version repeats the statement too: still three obligations in force.
    next_id = _store(session, REPEATED + "\nFirms may appoint a deputy officer.")
    change = extract_for_version(session, next_id)
    assert len(change.added) == 1 and not change.removed and len(change.unchanged) == 3
    in_force = session.exec(
        select(Obligation).where(col(Obligation.superseded_by_version_id).is_(None))
    ).all()
    assert len(in_force) == 4
