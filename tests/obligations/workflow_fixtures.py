"""Seed rows for workflow tests: a source, a document and obligations, plus users."""

from __future__ import annotations

from sqlmodel import Session

from obligations.models import (
    Control,
    Document,
    DocumentVersion,
    Obligation,
    ObligationControl,
    Source,
    User,
)
from obligations.services.users import add_user

STATEMENTS = [
    "Member firms must preserve business messages sent over instant messaging for three years.",
    "Platforms must not provide centralised trading services for digital collectibles.",
    "Firms must screen new customers against sanctions lists before opening an account.",
]


def seed_obligations(session: Session, count: int = 3) -> list[int]:
    """Insert ``count`` new obligations (committed) and return their ids."""
    session.add(
        Source(
            id="test-notices",
            name="Test notices",
            authority="FINRA",
            authority_kind="regulator",
            jurisdiction="US",
            language="en",
            kind="feed",
            url="http://127.0.0.1/feed.xml",
        )
    )
    session.flush()
    document = Document(source_id="test-notices", url="http://127.0.0.1/n/1.html", title="N 1")
    session.add(document)
    session.flush()
    text = "\n".join(STATEMENTS)
    version = DocumentVersion(
        document_id=document.id,
        version_number=1,
        content_sha256="0" * 64,
        text=text,
        text_sha256="1" * 64,
        normaliser_version=1,
    )
    session.add(version)
    session.flush()
    ids = []
    for number in range(count):
        statement = STATEMENTS[number % len(STATEMENTS)]
        obligation = Obligation(
            document_id=document.id,
            source_id="test-notices",
            document_version_id=version.id,
            statement_key=f"k{number}",
            text=statement,
            start=0,
            end=len(statement),
            modality="obligation",
        )
        session.add(obligation)
        session.flush()
        ids.append(obligation.id)
    session.commit()
    return ids


def seed_users(session: Session) -> dict[str, User]:
    """One user per role plus a second owner and analyst (committed; no passwords: fast)."""
    admin = add_user(session, "ada", "admin")
    users = {"admin": admin}
    for username, role in [
        ("ann", "analyst"),
        ("art", "analyst"),
        ("olga", "owner"),
        ("oscar", "owner"),
        ("aud", "auditor"),
    ]:
        users[username] = add_user(session, username, role, actor=admin)
    session.commit()
    return users


def accept_control(session: Session, obligation_id: int, control_id: str = "COMM-01") -> None:
    """Record an accepted control mapping (the controls module's job, done directly here)."""
    if session.get(Control, control_id) is None:
        session.add(Control(id=control_id, title="Archive instant messaging"))
        session.flush()
    session.add(
        ObligationControl(obligation_id=obligation_id, control_id=control_id, decided_by="ann")
    )
    session.flush()
