"""Optimistic concurrency for obligations: ``row_version`` checks and guarded updates.

A change is refused with a :class:`ConflictError` when the obligation's ``row_version`` in
the database is not the one the caller acted on: the ``expected_row_version`` it passes
(what a page showed), else the one its session already loaded. The write itself is an
``UPDATE … WHERE row_version = N``, so a change committed in between is caught too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from obligations.errors import ConfigError, ConflictError, NotFoundError
from obligations.models import Obligation
from obligations.timeutil import utcnow


def conflict(obligation_id: int) -> ConflictError:
    """The error telling the user somebody else changed the obligation first."""
    return ConflictError(f"obligation {obligation_id} was changed by someone else; reload")


def held_row_version(session: Session, obligation_id: int) -> int | None:
    """The row version this session already loaded, without asking the database again."""
    held = session.identity_map.get(session.identity_key(Obligation, obligation_id))
    return held.__dict__.get("row_version") if held is not None else None


def load_for_update(
    session: Session,
    obligation_ids: Sequence[int],
    expected_row_version: int | Mapping[int, int] | None,
) -> list[Obligation]:
    """The obligations (row-locked where the database can), checked against what the caller saw.

    The version the caller acted on is ``expected_row_version`` if given, else the one this
    session already holds; if the database now holds another, somebody else got there first.
    """
    ids = list(dict.fromkeys(obligation_ids))
    if not ids:
        raise ConfigError("no obligation ids given")
    seen = {i: held_row_version(session, i) for i in ids}
    if isinstance(expected_row_version, Mapping):
        seen.update(expected_row_version)
    elif expected_row_version is not None:
        seen = dict.fromkeys(ids, expected_row_version)
    # Lock the rows (PostgreSQL) and refresh the objects with what the database holds now.
    rows = session.exec(
        select(Obligation)
        .where(col(Obligation.id).in_(ids))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    found = {o.id: o for o in rows}
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFoundError(f"unknown obligation {missing[0]}")
    for obligation_id in ids:
        held = seen.get(obligation_id)
        if held is not None and found[obligation_id].row_version != held:
            raise conflict(obligation_id)
    return [found[i] for i in ids]


def guarded_update(session: Session, obligation: Obligation, **values: Any) -> None:
    """Guarded update: only if the row still holds the version this session read."""
    seen = obligation.row_version
    values = {**values, "row_version": seen + 1, "updated_at": utcnow()}
    result = session.execute(
        update(Obligation)
        .where(col(Obligation.id) == obligation.id, col(Obligation.row_version) == seen)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise conflict(obligation.id)  # type: ignore[arg-type]
    # Mirror the row in the object without marking it dirty (the ORM's "evaluate"
    # synchronisation scans the whole identity map: quadratic in a bulk assignment).
    for key, value in values.items():
        set_committed_value(obligation, key, value)
