"""Query pieces shared by the register and the gap list: filter conditions on
obligations and the per-obligation topics and accepted controls of a page of rows."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, col, select

from obligations.models import Obligation, ObligationControl, ObligationTopic


def has_topic(topic: str) -> ColumnElement[bool]:
    """Obligations tagged with ``topic``, as an id subquery (no join, no duplicates)."""
    return col(Obligation.id).in_(
        select(ObligationTopic.obligation_id).where(ObligationTopic.topic == topic)
    )


def obligation_conditions(
    *,
    current_only: bool = True,
    source_id: str | None = None,
    owner: str | None = None,
    topic: str | None = None,
) -> list[ColumnElement[bool]]:
    """WHERE conditions for the filters the register and the gap list share; None means
    "any". ``current_only`` leaves out obligations superseded by a later version."""
    conditions: list[ColumnElement[bool]] = []
    if current_only:
        conditions.append(col(Obligation.superseded_by_version_id).is_(None))
    if source_id:
        conditions.append(Obligation.source_id == source_id)
    if owner:
        conditions.append(Obligation.owner == owner)
    if topic:
        conditions.append(has_topic(topic))
    return conditions


def topics_by_obligation(session: Session, ids: list[int]) -> dict[int, list[str]]:
    """The topics of each of ``ids`` (unsorted); ids without topics are absent."""
    topics: dict[int, list[str]] = defaultdict(list)
    if ids:
        rows = session.exec(
            select(ObligationTopic.obligation_id, ObligationTopic.topic).where(
                col(ObligationTopic.obligation_id).in_(ids)
            )
        ).all()
        for obligation_id, topic in rows:
            topics[obligation_id].append(topic)
    return topics


def accepted_controls_by_obligation(session: Session, ids: list[int]) -> dict[int, list[str]]:
    """The accepted control ids of each of ``ids`` (unsorted); ids without any are absent."""
    controls: dict[int, list[str]] = defaultdict(list)
    if ids:
        rows = session.exec(
            select(ObligationControl.obligation_id, ObligationControl.control_id).where(
                col(ObligationControl.obligation_id).in_(ids),
                ObligationControl.state == "accepted",
            )
        ).all()
        for obligation_id, control_id in rows:
            controls[obligation_id].append(control_id)
    return controls
