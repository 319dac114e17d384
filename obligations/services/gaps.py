"""Gap analysis: obligations with no accepted control, or only partial coverage.

Set-based SQL: one GROUP BY over ``Obligation.coverage`` (the best accepted mapping,
kept by :func:`obligations.services.mapping.map_control`) through covering indexes led by
the grouped column, so a 100,000-obligation register answers quickly on SQLite and
PostgreSQL. Obligations that are not applicable or superseded are out of scope. An
obligation with several topics counts once under each of its topics.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, case, func, literal
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, col, select

from obligations.errors import ConfigError
from obligations.models import Obligation, ObligationTopic, Source
from obligations.services.obligation_queries import (
    accepted_controls_by_obligation,
    obligation_conditions,
    topics_by_obligation,
)

OUT_OF_SCOPE_STATUSES: tuple[str, ...] = ("not_applicable", "superseded")
DIMENSIONS: dict[str, str] = {
    "topic": "topic",
    "source": "source_id",
    "jurisdiction": "jurisdiction",
    "owner": "owner",
}
GAP_KINDS: tuple[str, ...] = ("unmapped", "partial")
SUMMARY_COUNTS: tuple[str, ...] = ("unmapped", "partial", "gaps")


@dataclass(frozen=True)
class GapFilter:
    """Filters of the gap list and summary; None means "any"."""

    topic: str | None = None
    source_id: str | None = None
    jurisdiction: str | None = None
    owner: str | None = None
    kind: str | None = None  # unmapped|partial


def _normalise_by(by: str | Sequence[str]) -> list[str]:
    dimensions = [by] if isinstance(by, str) else list(by)
    if not dimensions:
        raise ConfigError("gap summary needs at least one of: " + ", ".join(DIMENSIONS))
    for dimension in dimensions:
        if dimension not in DIMENSIONS:
            raise ConfigError(f"cannot group gaps by {dimension!r}: use {', '.join(DIMENSIONS)}")
    return list(dict.fromkeys(dimensions))


def _scoped(query: Select, filters: GapFilter, need_topic: bool, need_source: bool) -> Select:
    """Join what the query needs and keep the gaps in scope that match the filters."""
    if need_topic:
        query = query.select_from(ObligationTopic).join(
            Obligation, Obligation.id == ObligationTopic.obligation_id
        )
    else:
        query = query.select_from(Obligation)
    if need_source or filters.jurisdiction:
        query = query.join(Source, Source.id == Obligation.source_id)
    # Joined to topic rows, the topic filter is a plain comparison; otherwise a subquery.
    topic_joined = bool(need_topic and filters.topic)
    conditions: list[ColumnElement[bool]] = [
        col(Obligation.status).not_in(OUT_OF_SCOPE_STATUSES),
        col(Obligation.coverage).in_(_kinds(filters.kind)),
        *obligation_conditions(
            source_id=filters.source_id,
            owner=filters.owner,
            topic=None if topic_joined else filters.topic,
        ),
    ]
    if topic_joined:
        conditions.append(ObligationTopic.topic == filters.topic)
    if filters.jurisdiction:
        conditions.append(Source.jurisdiction == filters.jurisdiction)
    return query.where(and_(*conditions))


def _kinds(kind: str | None) -> list[str]:
    if kind is None:
        return ["none", "partial"]
    if kind not in GAP_KINDS:
        raise ConfigError(f"gap kind must be one of {', '.join(GAP_KINDS)}, not {kind!r}")
    return ["none" if kind == "unmapped" else "partial"]


def _dimension_column(dimension: str):  # type: ignore[no-untyped-def]
    return {
        "topic": ObligationTopic.topic,
        "source": Obligation.source_id,
        "jurisdiction": Source.jurisdiction,
        "owner": Obligation.owner,
    }[dimension].label(DIMENSIONS[dimension])


def _topic_summary(filters: GapFilter) -> Select:
    """Gaps per topic without joining wide obligation rows: each topic row is probed
    against the (indexed, narrow) id lists of gap obligations and of partial ones."""
    gap_ids = _scoped(select(Obligation.id), filters, need_topic=False, need_source=False)
    partial_ids = gap_ids.where(Obligation.coverage == "partial")
    gaps = func.sum(case((col(ObligationTopic.obligation_id).in_(gap_ids), 1), else_=0))
    partial = func.sum(case((col(ObligationTopic.obligation_id).in_(partial_ids), 1), else_=0))
    query = select(ObligationTopic.topic, gaps.label("gaps"), partial.label("partial"))
    if filters.topic:
        query = query.where(ObligationTopic.topic == filters.topic)
    return query.group_by(ObligationTopic.topic)


def _grouped_summary(dimensions: list[str], filters: GapFilter) -> Select:
    columns = [_dimension_column(d) for d in dimensions]
    query = select(
        *columns,
        func.count().label("gaps"),
        func.sum(case((Obligation.coverage == "partial", 1), else_=0)).label("partial"),
    )
    return _scoped(
        query,
        filters,
        need_topic="topic" in dimensions,
        need_source="jurisdiction" in dimensions,
    ).group_by(*columns)


def gap_summary(
    session: Session,
    by: str | Sequence[str] = ("topic",),
    filters: GapFilter | None = None,
) -> list[dict[str, Any]]:
    """Per group with gaps: ``unmapped`` (no accepted control), ``partial`` (only partial
    coverage) and ``gaps`` (their sum); most gaps first."""
    dimensions = _normalise_by(by)
    filters = filters or GapFilter()
    # SQLite joins row by row, so it probes id lists instead; PostgreSQL hash-joins faster.
    if dimensions == ["topic"] and session.get_bind().dialect.name == "sqlite":
        query = _topic_summary(filters)
    else:
        query = _grouped_summary(dimensions, filters)
    keys = [DIMENSIONS[d] for d in dimensions]
    rows = []
    for row in session.exec(query).all():  # type: ignore[call-overload]
        values = dict(row._mapping)
        gaps, partial = int(values["gaps"] or 0), int(values["partial"] or 0)
        if gaps:
            rows.append(
                {
                    **{key: values[key] for key in keys},
                    "unmapped": gaps - partial,
                    "partial": partial,
                    "gaps": gaps,
                }
            )
    rows.sort(key=lambda r: (-r["gaps"], *[(r[k] is None, str(r[k] or "")) for k in keys]))
    return rows


def list_gaps(
    session: Session, filters: GapFilter | None = None, limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    """The obligations with a gap, newest first, with the partial controls they have."""
    filters = filters or GapFilter()
    gap = case((Obligation.coverage == "none", literal("unmapped")), else_=literal("partial"))
    query = select(
        Obligation.id,
        Obligation.source_id,
        Source.jurisdiction,
        Obligation.text,
        Obligation.status,
        Obligation.owner,
        gap.label("gap"),
    )
    query = _scoped(query, filters, need_topic=False, need_source=True)
    query = query.order_by(col(Obligation.id).desc()).offset(offset).limit(limit)
    rows = [dict(row._mapping) for row in session.exec(query).all()]
    topics = topics_by_obligation(session, [row["id"] for row in rows])
    partial_ids = [row["id"] for row in rows if row["gap"] == "partial"]
    partial_controls = accepted_controls_by_obligation(session, partial_ids)
    for row in rows:
        row["topics"] = sorted(topics.get(row["id"], []))
        row["controls"] = sorted(partial_controls.get(row["id"], []))
    return rows
