"""One way to print rows: ``table`` for people, ``jsonl`` and ``csv`` for scripts."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from typing import Any

import typer

from obligations.exports import cell_text


class OutputFormat(StrEnum):
    """The ``--format`` choices of every listing command."""

    table = "table"
    jsonl = "jsonl"
    csv = "csv"


FormatOption = typer.Option(OutputFormat.table, "--format", "-f", help="table, jsonl or csv")
MAX_CELL = 60


def emit(rows: list[dict[str, Any]], output_format: OutputFormat, columns: list[str]) -> None:
    """Write rows to stdout in the chosen format (jsonl: one object per line, nothing else)."""
    out = sys.stdout
    if output_format == OutputFormat.jsonl:
        for row in rows:
            out.write(json.dumps({c: row.get(c) for c in columns}, ensure_ascii=False, default=str))
            out.write("\n")
        return
    if output_format == OutputFormat.csv:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([cell_text(row.get(c)) for c in columns])
        return
    cells = [[cell_text(row.get(c)).replace("\n", " ") for c in columns] for row in rows]
    cells = [[c if len(c) <= MAX_CELL else c[: MAX_CELL - 1] + "…" for c in row] for row in cells]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    out.write("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip() + "\n")
    for row in cells:
        out.write("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() + "\n")
    if not rows:
        typer.echo("(no rows)", err=True)
