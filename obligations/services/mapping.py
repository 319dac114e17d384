"""Mapping obligations to controls: ranked suggestions, and accepting or rejecting them.

The control index and the learned decision profiles are cached per database and kept
fresh by two cheap aggregate queries: the index is rebuilt when the library changes,
and new decisions are folded in incrementally. ``Obligation.coverage`` (none, partial,
full) is kept here too, for the gap analysis.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, update
from sqlmodel import Session, col, select

from obligations.errors import ConfigError, ConflictError, NotFoundError
from obligations.mapping import ControlIndex, ControlText, LearnedProfiles, rank_controls
from obligations.models import Control, Obligation, ObligationControl, ObligationTopic, User
from obligations.services.audit import record_event
from obligations.services.controls import actor_name
from obligations.services.workflow import mark_mapped_if_ready, mark_unmapped_if_uncovered
from obligations.taxonomy import COVERAGE_LEVELS
from obligations.timeutil import utcnow

# A fresh process learns from this many of the newest decisions (then from every new one):
# vectorising every decision ever made would make the first suggestion slow.
LEARNING_WINDOW = 5_000


@dataclass(frozen=True)
class MappingSuggestion:
    """A control suggested for an obligation, its score, why, and any decision already made."""

    control: Control
    score: float
    reasons: tuple[str, ...]
    decision: str | None = None  # accepted|rejected|None

    def as_row(self, rank: int) -> dict[str, Any]:
        """A row for the CLI and exports."""
        return {
            "rank": rank,
            "control_id": self.control.id,
            "title": self.control.title,
            "owner": self.control.owner,
            "score": self.score,
            "reasons": list(self.reasons),
            "decision": self.decision,
        }


@dataclass
class _Cache:
    control_signature: tuple
    index: ControlIndex
    learned: LearnedProfiles
    decision_count: int = 0
    watermark: datetime | None = None


_caches: dict[str, _Cache] = {}
_lock = threading.Lock()


def _control_signature(session: Session) -> tuple:
    return tuple(session.exec(select(func.count(), func.max(Control.updated_at))).one())


def _build_index(session: Session) -> ControlIndex:
    controls = session.exec(select(Control).where(Control.status != "retired")).all()
    return ControlIndex(
        ControlText(c.id, c.title, c.description, tuple(c.topics), tuple(c.references))
        for c in controls
    )


def _fold_decisions(session: Session, cache: _Cache) -> None:
    """Bring the learned profiles up to date with the decisions in the database."""
    count, newest = session.exec(select(func.count(), func.max(ObligationControl.decided_at))).one()
    if count == cache.decision_count and newest == cache.watermark:
        return
    if count < cache.decision_count:  # decisions were deleted: start again
        cache.learned, cache.watermark = LearnedProfiles(), None
    query = select(
        ObligationControl.control_id,
        ObligationControl.obligation_id,
        ObligationControl.state,
        Obligation.text,
    ).join(Obligation, col(Obligation.id) == ObligationControl.obligation_id)
    if cache.watermark is not None:
        query = query.where(ObligationControl.decided_at >= cache.watermark)
    else:  # a fresh cache learns from the most recent decisions only
        query = query.order_by(col(ObligationControl.decided_at).desc()).limit(LEARNING_WINDOW)
    vectors: dict[int, dict[str, float]] = {}
    for control_id, obligation_id, state, text in session.exec(query):
        if obligation_id not in vectors:
            vectors[obligation_id] = cache.index.vector(text)
        cache.learned.record(control_id, obligation_id, state, vectors[obligation_id])
    cache.decision_count, cache.watermark = count, newest


def _fresh_cache(session: Session) -> _Cache:
    key = session.get_bind().url.render_as_string(hide_password=False)
    signature = _control_signature(session)
    with _lock:
        cache = _caches.get(key)
        if cache is None or cache.control_signature != signature:
            cache = _Cache(signature, _build_index(session), LearnedProfiles())
            _caches[key] = cache
        _fold_decisions(session, cache)
        return cache


def get_obligation(session: Session, obligation_id: int) -> Obligation:
    """The obligation with this id; NotFoundError naming it otherwise."""
    obligation = session.get(Obligation, obligation_id)
    if obligation is None:
        raise NotFoundError(f"no obligation with id {obligation_id}")
    return obligation


def obligation_topics(session: Session, obligation_id: int) -> list[str]:
    """The topic labels of an obligation."""
    return list(
        session.exec(
            select(ObligationTopic.topic).where(ObligationTopic.obligation_id == obligation_id)
        ).all()
    )


def suggest_controls(
    session: Session, obligation_id: int, limit: int = 5
) -> list[MappingSuggestion]:
    """The controls that best fit an obligation, best first."""
    obligation = get_obligation(session, obligation_id)
    decisions = {
        decision.control_id: decision.state
        for decision in session.exec(
            select(ObligationControl).where(ObligationControl.obligation_id == obligation_id)
        )
    }
    topics = obligation_topics(session, obligation_id)
    cache = _fresh_cache(session)
    rejected_here = [control_id for control_id, state in decisions.items() if state == "rejected"]
    with _lock:  # the learned profiles are patched in place by other threads' calls
        ranked = rank_controls(
            cache.index, obligation.text, topics, cache.learned, rejected_here, limit
        )
    controls = {
        control.id: control
        for control in session.exec(
            select(Control).where(col(Control.id).in_([s.control_id for s in ranked]))
        )
    }
    return [
        MappingSuggestion(controls[s.control_id], s.score, s.reasons, decisions.get(s.control_id))
        for s in ranked
        if s.control_id in controls
    ]


def _decision_state(decision: ObligationControl) -> dict[str, Any]:
    return {
        "obligation_id": decision.obligation_id,
        "control_id": decision.control_id,
        "coverage": decision.coverage,
        "state": decision.state,
        "decided_by": decision.decided_by,
    }


def map_control(
    session: Session,
    actor: User | None,
    obligation_id: int,
    control_id: str,
    coverage: str = "full",
    accept: bool = True,
) -> ObligationControl:
    """Record that a control covers (fully or partly) an obligation, or that it does not.

    ``actor`` None is the local command line. Accepting a control moves an assigned
    obligation on to ``mapped`` (the review workflow's rule); rejecting its last accepted
    control moves a mapped one back to ``assigned``.
    """
    who = actor_name(actor, "map")
    if coverage not in COVERAGE_LEVELS:
        raise ConfigError(f"coverage must be one of {', '.join(COVERAGE_LEVELS)}, not {coverage!r}")
    get_obligation(session, obligation_id)
    control = session.get(Control, control_id)
    if control is None:
        raise NotFoundError(f"no control with id {control_id!r}")
    if accept and control.status == "retired":
        raise ConflictError(f"control {control_id!r} is retired and cannot be mapped")
    decision = session.get(ObligationControl, (obligation_id, control_id))
    before = _decision_state(decision) if decision else None
    if decision is None:
        decision = ObligationControl(obligation_id=obligation_id, control_id=control_id)
    decision.coverage = coverage
    decision.state = "accepted" if accept else "rejected"
    decision.decided_by = who
    decision.decided_at = utcnow()
    session.add(decision)
    session.flush()
    refresh_coverage(session, [obligation_id])
    record_event(
        session,
        who,
        "mapping.accept" if accept else "mapping.reject",
        "obligation_control",
        f"{obligation_id}:{control_id}",
        before,
        _decision_state(decision),
    )
    if accept:
        mark_mapped_if_ready(session, actor, obligation_id)
    elif not accept:
        mark_unmapped_if_uncovered(session, actor, obligation_id)
    return decision


def refresh_coverage(session: Session, obligation_ids: list[int] | None = None) -> None:
    """Set ``Obligation.coverage`` (none|partial|full) from the accepted decisions, set-based.

    ``None`` refreshes every obligation (after a bulk load or a repair).
    """
    accepted = select(ObligationControl.obligation_id).where(
        ObligationControl.obligation_id == Obligation.id, ObligationControl.state == "accepted"
    )
    coverage = case(
        (accepted.where(ObligationControl.coverage == "full").exists(), "full"),
        (accepted.exists(), "partial"),
        else_="none",
    )
    statement = update(Obligation).values(coverage=coverage)
    if obligation_ids is not None:
        statement = statement.where(col(Obligation.id).in_(obligation_ids))
    session.execute(statement.execution_options(synchronize_session=False))
    for obligation in session.identity_map.values():
        if isinstance(obligation, Obligation) and (
            obligation_ids is None or obligation.id in obligation_ids
        ):
            session.expire(obligation, ["coverage"])


def list_mappings(session: Session, obligation_id: int) -> list[ObligationControl]:
    """Every decision recorded for an obligation."""
    return list(
        session.exec(
            select(ObligationControl)
            .where(ObligationControl.obligation_id == obligation_id)
            .order_by(col(ObligationControl.control_id))
        )
    )
