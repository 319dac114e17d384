"""Reading the obligations register."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session, col, select

from obligations.errors import ConfigError
from obligations.models import Obligation, ObligationControl, ObligationTopic


@dataclass(frozen=True)
class RegisterFilter:
    """Filters of the register; None means "any"."""

    status: list[str] | None = None
    topic: str | None = None
    source_id: str | None = None
    owner: str | None = None
    modality: str | None = None
    search: str | None = None
    include_superseded: bool = False

    def __post_init__(self) -> None:
        # SQLite's LIKE stops at a NUL (matching everything), PostgreSQL refuses it.
        for name in ("topic", "source_id", "owner", "modality", "search"):
            value = getattr(self, name)
            if value is not None and "\x00" in value:
                raise ConfigError(f"register filter {name!r} contains a NUL character")
        if any("\x00" in status for status in self.status or []):
            raise ConfigError("register filter 'status' contains a NUL character")


def _topics_by_obligation(session: Session, ids: list[int]) -> dict[int, list[str]]:
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


def _controls_by_obligation(session: Session, ids: list[int]) -> dict[int, list[str]]:
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


def query_obligations(
    session: Session, filters: RegisterFilter | None = None, limit: int = 100, offset: int = 0
) -> list[Obligation]:
    """A page of the register, newest first."""
    filters = filters or RegisterFilter()
    query = select(Obligation)
    if not filters.include_superseded:
        query = query.where(col(Obligation.superseded_by_version_id).is_(None))
    if filters.status:
        query = query.where(col(Obligation.status).in_(filters.status))
    if filters.source_id:
        query = query.where(Obligation.source_id == filters.source_id)
    if filters.owner:
        query = query.where(Obligation.owner == filters.owner)
    if filters.modality:
        query = query.where(Obligation.modality == filters.modality)
    if filters.topic:
        query = query.where(
            col(Obligation.id).in_(
                select(ObligationTopic.obligation_id).where(ObligationTopic.topic == filters.topic)
            )
        )
    if filters.search:
        # A bound parameter with % and _ escaped: "100%" finds "100%", not "100 anything".
        query = query.where(col(Obligation.text).icontains(filters.search, autoescape=True))
    query = query.order_by(col(Obligation.id).desc()).offset(offset).limit(limit)
    return list(session.exec(query).all())


def register_rows(session: Session, obligations: list[Obligation]) -> list[dict]:
    """Rows in the shape of ``regwatch obligations list``."""
    ids = [o.id for o in obligations if o.id is not None]
    topics = _topics_by_obligation(session, ids)
    controls = _controls_by_obligation(session, ids)
    return [
        {
            "id": o.id,
            "document_id": o.document_id,
            "source_id": o.source_id,
            "text": o.text,
            "modality": o.modality,
            "topics": sorted(topics.get(o.id, [])),  # type: ignore[arg-type]
            "status": o.status,
            "owner": o.owner,
            "controls": sorted(controls.get(o.id, [])),  # type: ignore[arg-type]
            "retention_period_days": o.retention_period_days,
        }
        for o in obligations
    ]


def list_register(
    session: Session, filters: RegisterFilter | None = None, limit: int = 100, offset: int = 0
) -> list[dict]:
    """A page of register rows."""
    return register_rows(session, query_obligations(session, filters, limit, offset))
