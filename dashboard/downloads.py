"""Bytes for download buttons, written by the library's exporter (CSV or XLSX)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from obligations.exports import write_table

GAP_COLUMNS = ["id", "source_id", "coverage", "modality", "topics", "status", "owner",
               "controls", "retention_period_days", "text"]  # fmt: skip
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_bytes(rows: list[dict], columns: list[str], suffix: str) -> bytes:
    """The rows as a ``.csv`` or ``.xlsx`` file's bytes."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export{suffix}"
        write_table(path, columns, rows)
        return path.read_bytes()
