"""The audit chain detects edits and deletions; roles are enforced in the library."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import Session

from obligations.errors import ConflictError, PermissionDeniedError
from obligations.services.audit import record_event, verify_chain
from obligations.services.users import add_user, authenticate, can, require


def _three_events(session: Session) -> None:
    for number in range(3):
        record_event(session, "alice", "obligation.triage", "obligation", number, {"s": "new"},
                     {"s": "triaged", "note": "适用"})  # fmt: skip
    session.commit()


def test_chain_verifies_after_round_trip(session: Session) -> None:
    _three_events(session)
    session.expire_all()
    report = verify_chain(session)
    assert report.ok and report.events == 3


def test_edited_event_is_detected(session: Session) -> None:
    _three_events(session)
    session.execute(text("UPDATE auditevent SET actor = 'mallory' WHERE id = 2"))
    session.commit()
    session.expire_all()
    report = verify_chain(session)
    assert not report.ok and report.first_bad_id == 2


def test_deleted_event_is_detected(session: Session) -> None:
    _three_events(session)
    session.execute(text("DELETE FROM auditevent WHERE id = 2"))
    session.commit()
    session.expire_all()
    report = verify_chain(session)
    assert not report.ok and report.first_bad_id == 3


def test_passwords_are_hashed_and_checked(session: Session) -> None:
    add_user(session, "admin", "admin", password="correct horse")
    session.commit()
    stored = session.execute(text('SELECT password_hash FROM "user"')).scalar_one()
    assert "correct horse" not in stored and stored.startswith("$argon2")
    assert authenticate(session, "admin", "correct horse") is not None
    assert authenticate(session, "admin", "wrong password") is None
    assert authenticate(session, "nobody", "correct horse") is None


def test_roles_are_enforced(session: Session) -> None:
    admin = add_user(session, "admin", "admin", password="correct horse")
    auditor = add_user(session, "audrey", "auditor", password="correct horse", actor=admin)
    assert can(auditor, "read") and not can(auditor, "triage")
    with pytest.raises(PermissionDeniedError, match="audrey"):
        require(auditor, "assign")
    with pytest.raises(PermissionDeniedError):
        add_user(session, "eve", "admin", password="correct horse", actor=auditor)
    with pytest.raises(ConflictError):
        add_user(session, "audrey", "owner", password="correct horse", actor=admin)
