"""The review workflow: the status machine, bulk assignment, comments and the audit trail."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from obligations.errors import ConfigError, NotFoundError
from obligations.models import Assignment, AuditEvent, Obligation
from obligations.services.audit import list_events, verify_chain
from obligations.services.register import RegisterFilter, list_register
from obligations.services.workflow import (
    TRANSITIONS,
    InvalidTransitionError,
    add_comment,
    assign,
    list_comments,
    mark_implemented,
    mark_mapped,
    mark_mapped_if_ready,
    mark_verified,
    my_assignments,
    overdue_assignments,
    reopen,
    triage,
)
from obligations.timeutil import utcnow
from tests.obligations.workflow_fixtures import accept_control, seed_obligations, seed_users

DUE = utcnow().date() + timedelta(days=30)


def _status(session: Session, obligation_id: int) -> str:
    session.expire_all()
    return session.get(Obligation, obligation_id).status  # type: ignore[union-attr]


def test_an_obligation_walks_from_new_to_verified(session: Session) -> None:
    (obligation_id,) = seed_obligations(session, 1)
    users = seed_users(session)
    analyst, owner = users["ann"], users["olga"]

    triage(session, analyst, obligation_id, applicable=True)
    assign(session, analyst, [obligation_id], "olga", DUE)
    accept_control(session, obligation_id)
    mark_mapped(session, analyst, obligation_id)
    mark_implemented(session, owner, obligation_id, note="Archiver rolled out to all desks.")
    mark_verified(session, users["art"], obligation_id, note="Sampled 25 chats.")
    session.commit()

    obligation = session.get(Obligation, obligation_id)
    assert obligation is not None
    assert (obligation.status, obligation.owner, obligation.due_date) == ("verified", "olga", DUE)
    assert obligation.row_version == 6  # five status changes after the insert
    events = list_events(session, entity_type="obligation", entity_id=str(obligation_id))
    actions = [e.action for e in reversed(events)]
    assert actions == [
        "obligation.triage",
        "obligation.assign",
        "obligation.map",
        "obligation.implement",
        "obligation.comment",
        "obligation.verify",
    ]
    assign_event = next(e for e in events if e.action == "obligation.assign")
    assert assign_event.actor == "ann"
    assert assign_event.before["status"] == "triaged" and assign_event.before["owner"] is None  # type: ignore[index]
    assert assign_event.after["status"] == "assigned" and assign_event.after["owner"] == "olga"  # type: ignore[index]
    assert assign_event.after["due_date"] == DUE.isoformat()  # type: ignore[index]
    assert [c.body for c in list_comments(session, obligation_id)] == [
        "Archiver rolled out to all desks."
    ]
    session.expire_all()
    assert verify_chain(session).ok


def test_not_applicable_needs_a_reason_and_shows_in_the_register(session: Session) -> None:
    first, second = seed_obligations(session, 2)
    analyst = seed_users(session)["ann"]
    with pytest.raises(ConfigError, match="reason is required"):
        triage(session, analyst, first, applicable=False, reason="  ")
    assert _status(session, first) == "new"

    triage(session, analyst, first, applicable=False, reason="We run no trading platform.")
    triage(session, analyst, second, applicable=True)
    session.commit()
    rows = {row["id"]: row for row in list_register(session)}
    assert rows[first]["status"] == "not_applicable"
    assert rows[second]["status"] == "triaged"
    filtered = list_register(session, RegisterFilter(status=["not_applicable"]))
    assert [row["id"] for row in filtered] == [first]
    assert session.get(Obligation, first).status_reason == "We run no trading platform."  # type: ignore[union-attr]

    # Re-triage: the obligation turns out to apply after all; the reason is cleared.
    triage(session, analyst, first, applicable=True)
    session.commit()
    obligation = session.get(Obligation, first)
    assert obligation is not None and obligation.status == "triaged"
    assert obligation.status_reason is None


def test_invalid_transitions_name_from_and_to(session: Session) -> None:
    fresh, triaged, assigned, superseded = seed_obligations(session, 4)
    users = seed_users(session)
    analyst, owner = users["ann"], users["olga"]
    for obligation_id in (triaged, assigned):
        triage(session, analyst, obligation_id, applicable=True)
    assign(session, analyst, [assigned], "olga", DUE)
    session.get(Obligation, superseded).status = "superseded"  # type: ignore[union-attr]
    session.commit()
    events_before = len(list_events(session))
    cases = [
        (lambda: assign(session, analyst, [fresh], "olga", DUE), "new", "assigned"),
        (lambda: mark_verified(session, analyst, fresh), "new", "verified"),
        (lambda: mark_mapped(session, analyst, triaged), "triaged", "mapped"),
        (lambda: triage(session, analyst, triaged, applicable=True), "triaged", "triaged"),
        (lambda: mark_implemented(session, owner, assigned), "assigned", "implemented"),
        (lambda: triage(session, analyst, superseded, applicable=True), "superseded", "triaged"),
    ]
    for call, from_status, to_status in cases:
        with pytest.raises(InvalidTransitionError, match=f"{from_status} -> {to_status}") as info:
            call()
        assert (info.value.from_status, info.value.to_status) == (from_status, to_status)
        session.rollback()
    statuses = [_status(session, i) for i in (fresh, triaged, assigned, superseded)]
    assert statuses == ["new", "triaged", "assigned", "superseded"]
    assert len(list_events(session)) == events_before


def test_transition_table_only_names_known_statuses() -> None:
    from obligations.services.workflow import STATUSES

    for moves in TRANSITIONS.values():
        assert set(moves) <= set(STATUSES) and set(moves.values()) <= set(STATUSES)


def test_bulk_assign_is_all_or_nothing(session: Session) -> None:
    first, second, third = seed_obligations(session, 3)
    analyst = seed_users(session)["ann"]
    triage(session, analyst, first, applicable=True)
    triage(session, analyst, second, applicable=True)
    session.commit()
    events_before = len(list_events(session))

    # The third obligation is still new: nothing is assigned.
    with pytest.raises(InvalidTransitionError, match=f"obligation {third}"):
        assign(session, analyst, [first, second, third], "olga", DUE)
    session.rollback()
    assert [_status(session, i) for i in (first, second, third)] == ["triaged", "triaged", "new"]
    assert session.exec(select(Assignment)).all() == []
    assert len(list_events(session)) == events_before

    assignments = assign(session, analyst, [first, second], "olga", DUE)
    session.commit()
    assert {a.obligation_id for a in assignments} == {first, second}
    assert [_status(session, i) for i in (first, second)] == ["assigned", "assigned"]


def test_assign_refuses_bad_owners_dates_and_ids(session: Session) -> None:
    (obligation_id,) = seed_obligations(session, 1)
    analyst = seed_users(session)["ann"]
    triage(session, analyst, obligation_id, applicable=True)
    session.commit()
    yesterday = utcnow().date() - timedelta(days=1)
    cases = [
        ("nobody", [obligation_id], DUE, NotFoundError, "unknown user 'nobody'"),
        ("ann", [obligation_id], DUE, ConfigError, "role analyst.*cannot own assignments"),
        ("aud", [obligation_id], DUE, ConfigError, "role auditor.*cannot own assignments"),
        ("olga", [obligation_id], yesterday, ConfigError, "is in the past"),
        ("olga", [obligation_id, 999], DUE, NotFoundError, "unknown obligation 999"),
    ]
    for owner, ids, due, error, message in cases:
        with pytest.raises(error, match=message):
            assign(session, analyst, ids, owner, due)
        session.rollback()
    with pytest.raises(NotFoundError, match="unknown obligation 999"):
        add_comment(session, analyst, 999, "hello")
    assert _status(session, obligation_id) == "triaged"
    assert session.exec(select(Assignment)).all() == []


def test_reassigning_is_explicit_and_moves_the_work(session: Session) -> None:
    (obligation_id,) = seed_obligations(session, 1)
    users = seed_users(session)
    analyst = users["ann"]
    triage(session, analyst, obligation_id, applicable=True)
    assign(session, analyst, [obligation_id], "olga", DUE)
    session.commit()
    with pytest.raises(Exception, match="already assigned to olga"):
        assign(session, analyst, [obligation_id], "oscar", DUE)
    session.rollback()
    # The same owner again only moves the due date.
    assign(session, analyst, [obligation_id], "olga", DUE + timedelta(days=7))
    assign(session, analyst, [obligation_id], "oscar", DUE, reassign=True)
    session.commit()
    assert my_assignments(session, users["olga"]) == []
    (view,) = my_assignments(session, users["oscar"])
    assert (view.obligation_id, view.status, view.due_date) == (obligation_id, "assigned", DUE)
    active = session.exec(select(Assignment).where(Assignment.active == True)).all()  # noqa: E712
    assert len(active) == 1 and active[0].owner_id == users["oscar"].id


def test_retriage_withdraws_the_assignment(session: Session) -> None:
    (obligation_id,) = seed_obligations(session, 1)
    users = seed_users(session)
    analyst = users["ann"]
    triage(session, analyst, obligation_id, applicable=True)
    assign(session, analyst, [obligation_id], "olga", DUE)
    triage(session, analyst, obligation_id, applicable=True)  # assigned back to triaged
    session.commit()
    obligation = session.get(Obligation, obligation_id)
    assert obligation is not None
    assert (obligation.status, obligation.owner, obligation.due_date) == ("triaged", None, None)
    assert my_assignments(session, users["olga"]) == []


def test_mapping_needs_an_accepted_control(session: Session) -> None:
    obligation_id, fresh = seed_obligations(session, 2)
    analyst = seed_users(session)["ann"]
    triage(session, analyst, obligation_id, applicable=True)
    assign(session, analyst, [obligation_id], "olga", DUE)
    session.commit()
    with pytest.raises(ConfigError, match="no accepted control"):
        mark_mapped(session, analyst, obligation_id)
    accept_control(session, obligation_id)
    assert mark_mapped_if_ready(session, analyst, obligation_id)
    assert _status(session, obligation_id) == "mapped"
    # A second accepted control changes nothing; neither does mapping a new obligation.
    accept_control(session, obligation_id, "COMM-02")
    assert not mark_mapped_if_ready(session, analyst, obligation_id)
    accept_control(session, fresh)
    assert not mark_mapped_if_ready(session, analyst, fresh)
    assert _status(session, fresh) == "new"


def test_accepting_a_control_maps_an_assigned_obligation(session: Session) -> None:
    from obligations.models import Control
    from obligations.services.mapping import map_control

    assigned, fresh = seed_obligations(session, 2)
    users = seed_users(session)
    analyst = users["ann"]
    session.add(Control(id="SURV-02", title="Screen customers against sanctions lists daily"))
    triage(session, analyst, assigned, applicable=True)
    assign(session, analyst, [assigned], "olga", DUE)
    map_control(session, analyst, assigned, "SURV-02", "partial")
    map_control(session, analyst, fresh, "SURV-02")  # not triaged yet: recorded, status kept
    session.commit()
    assert (_status(session, assigned), _status(session, fresh)) == ("mapped", "new")
    actions = [e.action for e in reversed(list_events(session, entity_type="obligation"))]
    assert actions[-1] == "obligation.map"


def test_rejecting_the_last_accepted_control_unmaps_the_obligation(session: Session) -> None:
    from obligations.models import Control
    from obligations.services.mapping import map_control

    mapped, fresh = seed_obligations(session, 2)
    analyst = seed_users(session)["ann"]
    session.add(Control(id="COMM-01", title="Archive instant messaging"))
    session.add(Control(id="COMM-02", title="Review archived messages"))
    triage(session, analyst, mapped, applicable=True)
    assign(session, analyst, [mapped], "olga", DUE)
    map_control(session, analyst, mapped, "COMM-01")
    map_control(session, analyst, mapped, "COMM-02", "partial")
    map_control(session, analyst, fresh, "COMM-01")
    session.commit()
    assert _status(session, mapped) == "mapped"

    map_control(session, analyst, mapped, "COMM-01", accept=False)  # COMM-02 still covers it
    session.commit()
    assert _status(session, mapped) == "mapped"
    version = session.get(Obligation, mapped).row_version  # type: ignore[union-attr]
    map_control(session, None, mapped, "COMM-02", accept=False)  # the local command line
    map_control(session, analyst, fresh, "COMM-01", accept=False)  # never mapped: stays new
    session.commit()

    session.expire_all()
    obligation = session.get(Obligation, mapped)
    assert obligation is not None
    assert (obligation.status, obligation.owner, obligation.coverage) == (
        "assigned",
        "olga",
        "none",
    )
    assert obligation.row_version == version + 1
    assert _status(session, fresh) == "new"
    (event,) = list_events(session, entity_type="obligation", entity_id=str(mapped), limit=1)
    assert (event.action, event.actor) == ("obligation.unmap", "cli")
    assert (event.before["status"], event.after["status"]) == ("mapped", "assigned")
    assert verify_chain(session).ok
    # Mapped again by accepting a control, as before.
    map_control(session, analyst, mapped, "COMM-01")
    assert _status(session, mapped) == "mapped"


def test_reopen_sends_verified_work_back_to_the_owner(session: Session) -> None:
    (obligation_id,) = seed_obligations(session, 1)
    users = seed_users(session)
    analyst, owner = users["ann"], users["olga"]
    triage(session, analyst, obligation_id, applicable=True)
    assign(session, analyst, [obligation_id], "olga", DUE)
    accept_control(session, obligation_id)
    mark_mapped(session, analyst, obligation_id)
    mark_implemented(session, owner, obligation_id)
    assert my_assignments(session, owner) == []
    mark_verified(session, analyst, obligation_id)
    with pytest.raises(ConfigError, match="reason is required"):
        reopen(session, analyst, obligation_id, "")
    reopen(session, analyst, obligation_id, "Control test failed: 3 of 25 chats missing.")
    session.commit()
    assert _status(session, obligation_id) == "mapped"
    (view,) = my_assignments(session, owner)
    assert view.completed_at is None


def test_comments_do_not_change_the_obligation(session: Session) -> None:
    (obligation_id,) = seed_obligations(session, 1)
    users = seed_users(session)
    add_comment(session, users["ann"], obligation_id, "Does this cover WeChat too?")
    add_comment(session, users["olga"], obligation_id, "  Yes, 包括微信。 ")
    with pytest.raises(ConfigError, match="empty"):
        add_comment(session, users["ann"], obligation_id, "   ")
    session.commit()
    comments = list_comments(session, obligation_id)
    assert [(c.author, c.body) for c in comments] == [
        ("ann", "Does this cover WeChat too?"),
        ("olga", "Yes, 包括微信。"),
    ]
    assert session.get(Obligation, obligation_id).row_version == 1  # type: ignore[union-attr]


def test_overdue_assignments(session: Session) -> None:
    first, second, third = seed_obligations(session, 3)
    users = seed_users(session)
    analyst = users["ann"]
    for obligation_id in (first, second, third):
        triage(session, analyst, obligation_id, applicable=True)
    soon, later = utcnow().date() + timedelta(days=5), utcnow().date() + timedelta(days=60)
    assign(session, analyst, [first], "olga", soon)
    assign(session, analyst, [second], "olga", later)
    assign(session, analyst, [third], "oscar", soon)
    accept_control(session, third)
    mark_mapped(session, analyst, third)
    mark_implemented(session, users["oscar"], third)  # done: never overdue
    session.commit()

    in_ten_days = utcnow().date() + timedelta(days=10)
    mine = my_assignments(session, users["olga"], today=in_ten_days)
    assert [(v.obligation_id, v.overdue) for v in mine] == [(first, True), (second, False)]
    assert not any(v.overdue for v in my_assignments(session, users["olga"]))
    overdue = overdue_assignments(session, in_ten_days)
    assert [(v.obligation_id, v.owner) for v in overdue] == [(first, "olga")]
    assert overdue_assignments(session, date(2000, 1, 1)) == []
    assert session.exec(select(AuditEvent)).first() is not None


def test_accepting_a_control_from_the_command_line_maps_the_obligation(session: Session) -> None:
    from obligations.models import Control
    from obligations.services.mapping import map_control

    (obligation_id,) = seed_obligations(session, 1)
    analyst = seed_users(session)["ann"]
    session.add(Control(id="COMM-01", title="Archive instant messaging"))
    triage(session, analyst, obligation_id, applicable=True)
    assign(session, analyst, [obligation_id], "olga", DUE)
    map_control(session, None, obligation_id, "COMM-01")  # no user named: the local CLI
    session.commit()
    assert _status(session, obligation_id) == "mapped"
    (event,) = list_events(session, entity_type="obligation", entity_id=str(obligation_id), limit=1)
    assert (event.action, event.actor) == ("obligation.map", "cli")
    assert verify_chain(session).ok


def test_rejecting_the_last_control_of_verified_work_sends_it_back_to_the_owner(
    session: Session,
) -> None:
    from obligations.models import Control
    from obligations.services.mapping import map_control

    (obligation_id,) = seed_obligations(session, 1)
    users = seed_users(session)
    analyst, owner = users["ann"], users["olga"]
    session.add(Control(id="COMM-01", title="Archive instant messaging"))
    triage(session, analyst, obligation_id, applicable=True)
    assign(session, analyst, [obligation_id], "olga", DUE)
    map_control(session, analyst, obligation_id, "COMM-01")
    mark_implemented(session, owner, obligation_id)
    mark_verified(session, analyst, obligation_id)
    session.commit()
    assert my_assignments(session, owner) == []

    map_control(session, analyst, obligation_id, "COMM-01", accept=False)
    session.commit()
    assert _status(session, obligation_id) == "assigned"
    (view,) = my_assignments(session, owner)
    assert view.completed_at is None
    (event,) = list_events(session, entity_type="obligation", entity_id=str(obligation_id), limit=1)
    assert (event.action, event.before["status"]) == ("obligation.unmap", "verified")
    assert verify_chain(session).ok
