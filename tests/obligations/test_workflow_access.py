"""Who may do what in the workflow, and two people changing one obligation at once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import Session

from obligations import db
from obligations.errors import ConflictError, PermissionDeniedError
from obligations.models import Obligation, User
from obligations.services.audit import list_events
from obligations.services.row_version import guarded_update
from obligations.services.users import get_user
from obligations.services.workflow import (
    add_comment,
    assign,
    mark_implemented,
    mark_mapped,
    mark_verified,
    triage,
    update_assignment,
)
from obligations.timeutil import utcnow
from tests.obligations.workflow_fixtures import accept_control, seed_obligations, seed_users

DUE = utcnow().date() + timedelta(days=30)


def _mapped_to_olga(session: Session, users: dict[str, User]) -> int:
    (obligation_id,) = seed_obligations(session, 1)
    triage(session, users["ann"], obligation_id, applicable=True)
    assign(session, users["ann"], [obligation_id], "olga", DUE)
    accept_control(session, obligation_id)
    mark_mapped(session, users["ann"], obligation_id)
    session.commit()
    return obligation_id


def test_auditors_and_owners_cannot_run_the_workflow(session: Session) -> None:
    (obligation_id,) = seed_obligations(session, 1)
    users = seed_users(session)
    for username in ("aud", "olga"):
        user = users[username]
        with pytest.raises(PermissionDeniedError, match=f"'{username}'.*may not triage"):
            triage(session, user, obligation_id, applicable=False, reason="not ours")
        with pytest.raises(PermissionDeniedError, match="may not assign"):
            assign(session, user, [obligation_id], "olga", DUE)
        with pytest.raises(PermissionDeniedError, match="may not map"):
            mark_mapped(session, user, obligation_id)
        with pytest.raises(PermissionDeniedError, match="may not verify"):
            mark_verified(session, user, obligation_id)
    with pytest.raises(PermissionDeniedError, match="may not comment"):
        add_comment(session, users["aud"], obligation_id, "I only read.")
    with pytest.raises(PermissionDeniedError, match="may not update assignment"):
        mark_implemented(session, users["aud"], obligation_id)
    session.rollback()
    assert session.get(Obligation, obligation_id).status == "new"  # type: ignore[union-attr]
    assert [e.action for e in list_events(session)] == ["user.add"] * 6


def test_owners_update_only_their_own_assignments(session: Session) -> None:
    users = seed_users(session)
    obligation_id = _mapped_to_olga(session, users)
    with pytest.raises(PermissionDeniedError, match=r"'oscar' may only update their own.*olga"):
        mark_implemented(session, users["oscar"], obligation_id, note="done")
    # Analysts assign work but do not report on it.
    with pytest.raises(PermissionDeniedError, match=r"'ann'.*may not update assignment"):
        mark_implemented(session, users["ann"], obligation_id)
    session.rollback()

    update_assignment(session, users["olga"], obligation_id, note="Vendor contract signed.")
    assert session.get(Obligation, obligation_id).status == "mapped"  # type: ignore[union-attr]
    assignment = mark_implemented(session, users["olga"], obligation_id, note="Live since Monday.")
    session.commit()
    assert assignment.completed_at is not None
    assert session.get(Obligation, obligation_id).status == "implemented"  # type: ignore[union-attr]


def test_nobody_verifies_their_own_implementation(session: Session) -> None:
    users = seed_users(session)
    (obligation_id,) = seed_obligations(session, 1)
    admin = users["admin"]
    triage(session, admin, obligation_id, applicable=True)
    assign(session, admin, [obligation_id], "ada", DUE)  # an admin may own a control too
    accept_control(session, obligation_id)
    mark_mapped(session, admin, obligation_id)
    mark_implemented(session, admin, obligation_id)
    with pytest.raises(PermissionDeniedError, match="may not verify it too"):
        mark_verified(session, admin, obligation_id)
    mark_verified(session, users["ann"], obligation_id)
    assert session.get(Obligation, obligation_id).status == "verified"  # type: ignore[union-attr]


def test_two_analysts_assigning_the_same_obligation(session: Session, database_url: str) -> None:
    """Both load the obligation; the first to save wins and the second is told to reload."""
    (obligation_id,) = seed_obligations(session, 1)
    users = seed_users(session)
    triage(session, users["ann"], obligation_id, applicable=True)
    session.commit()
    engine = db.get_engine(database_url)
    with Session(engine) as first, Session(engine) as second:
        ann, art = first.get(User, users["ann"].id), second.get(User, users["art"].id)
        first_view = first.get(Obligation, obligation_id)  # what each analyst has on screen
        second_view = second.get(Obligation, obligation_id)
        assert first_view is not None and second_view is not None
        assert first_view.row_version == second_view.row_version == 2

        assign(first, ann, [obligation_id], "olga", DUE)  # type: ignore[arg-type]
        first.commit()
        message = f"obligation {obligation_id} was changed by someone else; reload"
        with pytest.raises(ConflictError, match=message):
            assign(second, art, [obligation_id], "oscar", DUE)  # type: ignore[arg-type]
        second.rollback()

    # A third analyst acting on the version they saw (the dashboard passes it) is told too.
    with Session(engine) as third:
        art = third.get(User, users["art"].id)
        with pytest.raises(ConflictError, match=message):
            assign(third, art, [obligation_id], "oscar", DUE, expected_row_version=2)  # type: ignore[arg-type]
        third.rollback()
    session.expire_all()
    obligation = session.get(Obligation, obligation_id)
    assert obligation is not None and (obligation.owner, obligation.row_version) == ("olga", 3)


def test_the_guarded_update_refuses_a_stale_row(session: Session, database_url: str) -> None:
    """The UPDATE … WHERE row_version = N itself catches a change made after the read."""
    (obligation_id,) = seed_obligations(session, 1)
    engine = db.get_engine(database_url)
    with Session(engine, expire_on_commit=False) as stale:
        seen = stale.get(Obligation, obligation_id)
        assert seen is not None and seen.row_version == 1
        stale.commit()  # end the read transaction; the object keeps what it saw
        guarded_update(session, session.get(Obligation, obligation_id), status="triaged")  # type: ignore[arg-type]
        session.commit()
        with pytest.raises(ConflictError, match=f"obligation {obligation_id} was changed"):
            guarded_update(stale, seen, status="not_applicable")
        stale.rollback()
    session.expire_all()
    obligation = session.get(Obligation, obligation_id)
    assert obligation is not None and (obligation.status, obligation.row_version) == ("triaged", 2)


def test_concurrent_assignments_one_wins(session: Session, database_url: str) -> None:
    """Two analysts press "assign" at the same moment, each in their own transaction."""
    (obligation_id,) = seed_obligations(session, 1)
    users = seed_users(session)
    triage(session, users["ann"], obligation_id, applicable=True)
    session.commit()
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def press_assign(analyst: str, owner: str) -> None:
        start.wait(timeout=30)
        try:
            with db.session_scope(database_url) as own_session:
                actor = get_user(own_session, analyst)
                assign(own_session, actor, [obligation_id], owner, DUE)
            outcomes[analyst] = f"won:{owner}"
        except ConflictError as error:
            outcomes[analyst] = str(error)

    threads = [
        threading.Thread(target=press_assign, args=("ann", "olga")),
        threading.Thread(target=press_assign, args=("art", "oscar")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    winners = [o for o in outcomes.values() if o.startswith("won:")]
    losers = [o for o in outcomes.values() if not o.startswith("won:")]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert f"obligation {obligation_id}" in losers[0]
    session.expire_all()
    obligation = session.get(Obligation, obligation_id)
    assert obligation is not None and f"won:{obligation.owner}" == winners[0]
    assert obligation.row_version == 3
