"""Superseding an obligation builds on edits committed since extraction loaded it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from obligations import db
from obligations.models import AuditEvent, Obligation
from obligations.services.row_version import guarded_update
from obligations.services.supersession import SUPERSEDE_ACTION, supersede_obligation
from tests.obligations.notify_fixtures import Register

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_superseding_a_stale_row_keeps_a_concurrent_edit_and_moves_past_its_version(
    database_url: str,
) -> None:
    with db.session_scope(database_url) as session:
        register = Register(session)
        obligation = register.obligation("Firms must keep records.", T0, ["record_retention"])
        newer_version = register.version(T0 + timedelta(days=1))
        obligation_id, version_id = obligation.id, newer_version.id
        created_version = obligation.row_version

    extraction = Session(db.get_engine(database_url), expire_on_commit=False)
    stale = extraction.get(Obligation, obligation_id)
    assert stale is not None
    with db.session_scope(database_url) as reviewer:  # commits while extraction holds `stale`
        guarded_update(reviewer, reviewer.get(Obligation, obligation_id), owner="dana")

    supersede_obligation(extraction, stale, version_id, now=T0 + timedelta(days=2))  # type: ignore[arg-type]
    extraction.commit()
    extraction.close()

    with db.session_scope(database_url) as session:
        saved = session.get(Obligation, obligation_id)
        assert saved is not None
        assert (saved.status, saved.owner) == ("superseded", "dana")
        assert saved.superseded_by_version_id == version_id
        assert saved.row_version == created_version + 2
        event = session.exec(select(AuditEvent).where(AuditEvent.action == SUPERSEDE_ACTION)).one()
        assert event.before["row_version"] == created_version + 1
