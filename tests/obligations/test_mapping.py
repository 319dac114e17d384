"""Control suggestions (topics, text, learning from decisions) and mapping decisions."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from obligations.errors import ConfigError, NotFoundError, PermissionDeniedError
from obligations.models import AuditEvent, ObligationControl
from obligations.services.controls import import_controls
from obligations.services.mapping import map_control, suggest_controls
from obligations.services.register import list_register
from obligations.services.users import add_user
from tests.helpers.obligations import add_obligation, add_source

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "controls" / "sample-controls.csv"


@pytest.fixture
def library(session: Session):  # type: ignore[no-untyped-def]
    import_controls(session, SAMPLE, None)
    return add_source(session, "ofac")


def _ids(session: Session, obligation_id: int, limit: int = 5) -> list[str]:
    return [s.control.id for s in suggest_controls(session, obligation_id, limit)]


def test_suggestions_rank_the_covering_control_first(session: Session, library) -> None:  # type: ignore[no-untyped-def]
    english = add_obligation(
        session,
        library,
        "Institutions must screen every new customer against the sanctions lists and repeat "
        "the screening each day.",
        ["sanctions"],
    )
    chinese = add_obligation(
        session,
        library,
        "对列入制裁名单的主体，金融机构应当立即冻结其资金和其他资产。",
        ["sanctions"],
        language="zh",
    )
    suggestions = suggest_controls(session, english.id, limit=3)
    assert suggestions[0].control.id == "SAN-01"
    assert "topics: sanctions" in suggestions[0].reasons
    assert any(
        reason.startswith("words: ") and "screen" in reason for reason in suggestions[0].reasons
    )
    assert [s.score for s in suggestions] == sorted((s.score for s in suggestions), reverse=True)
    assert "SAN-03" in _ids(session, chinese.id, 3)


def test_accepting_for_a_similar_obligation_ranks_a_control_up(session: Session, library) -> None:  # type: ignore[no-untyped-def]
    text = "Staff must keep a copy of every chat with clients about their orders."
    first = add_obligation(session, library, text, ["communications_archiving"])
    second = add_obligation(session, library, text + " ", ["communications_archiving"])
    before = _ids(session, second.id, limit=10)
    promoted = before[3]
    map_control(session, None, first.id, promoted, "full", accept=True)
    after = suggest_controls(session, second.id, limit=10)
    ids = [s.control.id for s in after]
    assert ids.index(promoted) < before.index(promoted)
    reasons = next(s.reasons for s in after if s.control.id == promoted)
    assert "accepted for 1 similar obligation(s)" in reasons


def test_rejecting_for_this_obligation_ranks_a_control_down(session: Session, library) -> None:  # type: ignore[no-untyped-def]
    obligation = add_obligation(
        session,
        library,
        "Each member must verify the identity of customers before opening an account.",
        ["aml_kyc"],
    )
    top = _ids(session, obligation.id)[0]
    map_control(session, None, obligation.id, top, accept=False)
    after = suggest_controls(session, obligation.id, limit=50)
    assert after[0].control.id != top
    rejected = next(s for s in after if s.control.id == top)
    assert rejected.decision == "rejected"
    assert "rejected for this obligation" in rejected.reasons


def test_map_control_records_decision_and_audit(session: Session, library) -> None:  # type: ignore[no-untyped-def]
    analyst = add_user(session, "ana", "analyst")
    obligation = add_obligation(session, library, "Firms must archive email.", ["record_retention"])
    map_control(session, analyst, obligation.id, "COMM-02", "partial")
    map_control(session, analyst, obligation.id, "COMM-01", accept=False)
    decision = session.get(ObligationControl, (obligation.id, "COMM-02"))
    assert (decision.coverage, decision.state, decision.decided_by) == (
        "partial",
        "accepted",
        "ana",
    )
    events = session.exec(select(AuditEvent).where(AuditEvent.entity_type == "obligation_control"))
    assert [(e.action, e.entity_id) for e in events] == [
        ("mapping.accept", f"{obligation.id}:COMM-02"),
        ("mapping.reject", f"{obligation.id}:COMM-01"),
    ]
    map_control(session, analyst, obligation.id, "COMM-02", "full")
    assert session.get(ObligationControl, (obligation.id, "COMM-02")).coverage == "full"
    session.refresh(obligation)
    assert obligation.status == "new"
    (row,) = list_register(session)
    assert row["controls"] == ["COMM-02"]


def test_map_control_refuses_bad_references(session: Session, library) -> None:  # type: ignore[no-untyped-def]
    obligation = add_obligation(session, library, "Firms must archive email.", ["record_retention"])
    with pytest.raises(NotFoundError, match="no control with id 'NOPE-9'"):
        map_control(session, None, obligation.id, "NOPE-9")
    with pytest.raises(NotFoundError, match="no obligation with id 999999"):
        map_control(session, None, 999999, "COMM-02")
    with pytest.raises(ConfigError, match="coverage"):
        map_control(session, None, obligation.id, "COMM-02", "most")
    owner = add_user(session, "olly", "owner")
    with pytest.raises(PermissionDeniedError, match="may not map"):
        map_control(session, owner, obligation.id, "COMM-02")
    with pytest.raises(NotFoundError, match="no obligation with id 424242"):
        suggest_controls(session, 424242)
    assert session.exec(select(ObligationControl)).all() == []
