"""Which known documents an unchanged listing still re-checks: newest plus a rotation."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from obligations.models import Document
from obligations.services.documents import documents_to_recheck
from obligations.services.sources import upsert_sources
from obligations.timeutil import utcnow

SOURCE = {
    "id": "many-docs",
    "name": "Many",
    "authority": "A",
    "authority_kind": "regulator",
    "jurisdiction": "US",
    "language": "en",
    "kind": "listing",
    "url": "https://example.org/",
}


def test_newest_and_least_recently_checked_documents(session: Session) -> None:
    upsert_sources(session, [SOURCE])
    now = utcnow()
    for number in range(100):
        session.add(
            Document(
                source_id="many-docs",
                url=f"https://example.org/{number}",
                first_seen_at=now - timedelta(days=100 - number),  # 99 is the newest
                # 0..49 checked long ago (0 the longest); 50..99 checked just now
                last_checked_at=now - timedelta(days=200 - number) if number < 50 else now,
            )
        )
    session.flush()
    chosen = documents_to_recheck(session, "many-docs", newest=5, rotating=10)
    assert chosen[:5] == [f"https://example.org/{n}" for n in (99, 98, 97, 96, 95)]
    assert chosen[5:] == [f"https://example.org/{n}" for n in range(10)]

    # After those were checked, the rotation moves on to the next ones.
    for document in session.exec(select(Document).where(col(Document.url).in_(chosen))).all():
        document.last_checked_at = now
        session.add(document)
    session.flush()
    following = documents_to_recheck(session, "many-docs", newest=5, rotating=10)
    assert following[5:] == [f"https://example.org/{n}" for n in range(10, 20)]
