"""Bytes for download buttons, written by the library's exporter (CSV or XLSX)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from obligations.db import session_scope
from obligations.exports import write_table
from obligations.services.gaps import GapFilter, list_gaps

GAP_COLUMNS = ["id", "gap", "source_id", "jurisdiction", "topics", "status", "owner",
               "controls", "text"]  # fmt: skip
EXPORT_LIMIT = 1_000_000
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_bytes(rows: list[dict], columns: list[str], suffix: str) -> bytes:
    """The rows as a ``.csv`` or ``.xlsx`` file's bytes."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export{suffix}"
        write_table(path, columns, rows)
        return path.read_bytes()


def gap_export(database_url: str, filters: GapFilter, suffix: str) -> Callable[[], bytes]:
    """A deferred export of every gap matching ``filters`` (built only when clicked)."""

    def build() -> bytes:
        with session_scope(database_url) as session:
            rows = list_gaps(session, filters, limit=EXPORT_LIMIT)
        return export_bytes(rows, GAP_COLUMNS, suffix)

    return build
