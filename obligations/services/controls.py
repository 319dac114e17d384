"""The control library: import (all-or-nothing, audited), list and export."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from obligations.controls_io import ControlRecord, read_control_file, write_control_file
from obligations.errors import NotFoundError
from obligations.models import Control, ObligationControl, User
from obligations.services.audit import record_event
from obligations.services.users import require
from obligations.timeutil import utcnow

CLI_ACTOR = "cli"
CONTROL_FIELDS: tuple[str, ...] = (
    "title",
    "description",
    "owner",
    "topics",
    "references",
    "status",
)


def actor_name(actor: User | None, permission: str) -> str:
    """Check ``actor`` holds ``permission``; None is the local command line (``cli``)."""
    if actor is None:
        return CLI_ACTOR
    require(actor, permission)
    return actor.username


def control_state(control: Control) -> dict[str, Any]:
    """A control's fields as audited and exported."""
    return {"id": control.id, **{name: getattr(control, name) for name in CONTROL_FIELDS}}


@dataclass
class ImportSummary:
    """What one import did, by control id."""

    path: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        """How many controls the file held."""
        return len(self.created) + len(self.updated) + len(self.unchanged)


def save_controls(
    session: Session, records: list[ControlRecord], actor: User | None, path: str = ""
) -> ImportSummary:
    """Create or update controls from validated records, with one audit event per change."""
    who = actor_name(actor, "import_controls")
    summary = ImportSummary(path=path)
    existing = {
        control.id: control
        for control in session.exec(
            select(Control).where(col(Control.id).in_([record.id for record in records]))
        )
    }
    now = utcnow()
    for record in records:
        after = record.as_dict()
        control = existing.get(record.id)
        if control is None:
            control = Control(**after, created_at=now, updated_at=now)
            session.add(control)
            summary.created.append(record.id)
            record_event(session, who, "control.create", "control", record.id, None, after)
            continue
        before = control_state(control)
        if before == after:
            summary.unchanged.append(record.id)
            continue
        for name in CONTROL_FIELDS:
            setattr(control, name, after[name])
        control.updated_at = now
        session.add(control)
        summary.updated.append(record.id)
        record_event(session, who, "control.update", "control", record.id, before, after)
    session.flush()
    return summary


def import_controls(session: Session, path: Path, actor: User | None) -> ImportSummary:
    """Import a CSV, XLSX or OSCAL file: the whole file is validated before any write."""
    actor_name(actor, "import_controls")
    records = read_control_file(path)
    return save_controls(session, records, actor, str(path))


def get_control(session: Session, control_id: str) -> Control:
    """The control with this id; NotFoundError naming it otherwise."""
    control = session.get(Control, control_id)
    if control is None:
        raise NotFoundError(f"no control with id {control_id!r}")
    return control


def list_controls(
    session: Session,
    status: str | None = None,
    topic: str | None = None,
    owner: str | None = None,
) -> list[dict[str, Any]]:
    """Rows for ``regwatch controls list``: the control and how many obligations it covers."""
    mapped = (
        select(ObligationControl.control_id, func.count().label("obligations"))
        .where(ObligationControl.state == "accepted")
        .group_by(ObligationControl.control_id)
        .subquery()
    )
    query = (
        select(Control, func.coalesce(mapped.c.obligations, 0))
        .outerjoin(mapped, mapped.c.control_id == Control.id)
        .order_by(col(Control.id))
    )
    if status:
        query = query.where(Control.status == status)
    if owner:
        query = query.where(Control.owner == owner)
    rows = []
    for control, obligations in session.exec(query).all():
        if topic and topic not in control.topics:
            continue
        rows.append({**control_state(control), "obligations": int(obligations)})
    return rows


def export_controls(session: Session, path: Path) -> int:
    """Write the whole library to a CSV or XLSX file; return how many controls."""
    return write_control_file(path, list_controls(session))
