"""Reading the obligations register."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from obligations.errors import ConfigError
from obligations.models import Obligation
from obligations.services.obligation_queries import (
    accepted_controls_by_obligation,
    obligation_conditions,
    topics_by_obligation,
)


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


def query_obligations(
    session: Session, filters: RegisterFilter | None = None, limit: int = 100, offset: int = 0
) -> list[Obligation]:
    """A page of the register, newest first."""
    filters = filters or RegisterFilter()
    query = select(Obligation).where(
        *obligation_conditions(
            current_only=not filters.include_superseded,
            source_id=filters.source_id,
            owner=filters.owner,
            topic=filters.topic,
        )
    )
    if filters.status:
        query = query.where(col(Obligation.status).in_(filters.status))
    if filters.modality:
        query = query.where(Obligation.modality == filters.modality)
    if filters.search:
        # A bound parameter with % and _ escaped: "100%" finds "100%", not "100 anything".
        query = query.where(col(Obligation.text).icontains(filters.search, autoescape=True))
    query = query.order_by(col(Obligation.id).desc()).offset(offset).limit(limit)
    return list(session.exec(query).all())


def register_rows(session: Session, obligations: list[Obligation]) -> list[dict]:
    """Rows in the shape of ``regwatch obligations list``."""
    ids = [o.id for o in obligations if o.id is not None]
    topics = topics_by_obligation(session, ids)
    controls = accepted_controls_by_obligation(session, ids)
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
