"""Writing rows to a CSV (UTF-8) or XLSX file, chosen by the file's suffix."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from obligations.errors import InputFileError


def cell_text(value: Any) -> str:
    """A cell's text: lists joined with ``;``, None as empty."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ";".join(str(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _cells(columns: Sequence[str], row: dict[str, Any]) -> list[Any]:
    return [
        row.get(column) if isinstance(row.get(column), int | float) else cell_text(row.get(column))
        for column in columns
    ]


def write_table(path: Path, columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> int:
    """Write ``rows`` (dicts) under a header of ``columns``; return the number of rows."""
    suffix = path.suffix.lower()
    count = 0
    try:
        if suffix == ".csv":
            with path.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle, lineterminator="\n")
                writer.writerow(columns)
                for row in rows:
                    writer.writerow(cell_text(cell) for cell in _cells(columns, row))
                    count += 1
        elif suffix == ".xlsx":
            from openpyxl import Workbook

            workbook = Workbook(write_only=True)
            sheet = workbook.create_sheet(path.stem[:31] or "sheet")
            sheet.append(list(columns))
            for row in rows:
                sheet.append(_cells(columns, row))
                count += 1
            workbook.save(path)
        else:
            raise InputFileError(f"{path}: unsupported export type {suffix!r} (use .csv or .xlsx)")
    except OSError as exc:
        raise InputFileError(f"{path}: cannot write: {exc.strerror}") from None
    return count
