"""Reading and writing control library files: CSV, XLSX (first sheet) and OSCAL catalogs.

Parsing validates the whole file before anything is written: every error names the
file, the row (1 = header) or JSON path, and the column, in one line.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from obligations.errors import InputFileError
from obligations.exports import write_table
from obligations.taxonomy import TOPICS

COLUMNS: tuple[str, ...] = (
    "id",
    "title",
    "description",
    "owner",
    "topics",
    "references",
    "status",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("id", "title")
STATUSES: tuple[str, ...] = ("active", "draft", "retired")
CONTROL_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$")
MAX_OWNER_CHARS = 200
MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass
class ControlRecord:
    """One control as read from a file, already validated."""

    id: str
    title: str
    description: str | None = None
    owner: str | None = None
    topics: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    status: str = "active"

    def as_dict(self) -> dict[str, Any]:
        """The control's fields, as stored and audited."""
        return asdict(self)


def _split_list(value: str) -> list[str]:
    return list(dict.fromkeys(part.strip() for part in value.split(";") if part.strip()))


class _RowValidator:
    """Turns raw cell values into ControlRecords, naming the place of the first error."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.seen: dict[str, str] = {}

    def fail(self, where: str, column: str | None, message: str) -> InputFileError:
        place = f"{where}, column {column!r}" if column else where
        return InputFileError(f"{self.path}: {place}: {message}")

    def record(self, values: dict[str, str], where: str) -> ControlRecord:
        """Validate one row's values (keys are lower-case column names)."""
        clean = {key: (value or "").strip() for key, value in values.items()}
        for column in REQUIRED_COLUMNS:
            if not clean.get(column):
                raise self.fail(where, column, "missing required value")
        control_id = clean["id"]
        if not CONTROL_ID_PATTERN.match(control_id):
            raise self.fail(
                where, "id", f"invalid id {control_id!r} (letters, digits and ._:/- only)"
            )
        if control_id in self.seen:
            raise self.fail(
                where, "id", f"duplicate id {control_id!r} (first at {self.seen[control_id]})"
            )
        self.seen[control_id] = where
        topics = _split_list(clean.get("topics", ""))
        for topic in topics:
            if topic not in TOPICS:
                raise self.fail(where, "topics", f"unknown topic {topic!r}")
        status = (clean.get("status") or "active").lower()
        if status not in STATUSES:
            raise self.fail(
                where, "status", f"unknown status {status!r} (expected {', '.join(STATUSES)})"
            )
        owner = clean.get("owner") or None
        if owner and len(owner) > MAX_OWNER_CHARS:
            raise self.fail(where, "owner", f"longer than {MAX_OWNER_CHARS} characters")
        return ControlRecord(
            id=control_id,
            title=clean["title"],
            description=clean.get("description") or None,
            owner=owner,
            topics=topics,
            references=_split_list(clean.get("references", "")),
            status=status,
        )


def _header(path: Path, cells: list[Any]) -> list[str]:
    names = [str(cell).strip().lower() if cell is not None else "" for cell in cells]
    while names and not names[-1]:
        names.pop()
    for index, name in enumerate(names):
        if not name:
            raise InputFileError(f"{path}: row 1, column {index + 1}: empty column name")
        if name not in COLUMNS:
            raise InputFileError(
                f"{path}: row 1, column {name!r}: unknown column (expected {', '.join(COLUMNS)})"
            )
        if name in names[:index]:
            raise InputFileError(f"{path}: row 1, column {name!r}: duplicate column")
    for required in REQUIRED_COLUMNS:
        if required not in names:
            raise InputFileError(f"{path}: row 1, column {required!r}: missing required column")
    return names


def _tabular_records(path: Path, rows: Iterable[list[Any]]) -> list[ControlRecord]:
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        raise InputFileError(f"{path}: row 1: no header row (the file is empty)")
    names = _header(path, first)
    validator = _RowValidator(path)
    records = []
    for row_number, cells in enumerate(iterator, start=2):
        values = ["" if cell is None else _cell_text(cell) for cell in cells]
        if not any(value.strip() for value in values):
            continue
        extra = [value for value in values[len(names) :] if value.strip()]
        if extra:
            raise InputFileError(
                f"{path}: row {row_number}: {len(values)} cells but the header has "
                f"{len(names)} columns"
            )
        records.append(
            validator.record(dict(zip(names, values, strict=False)), f"row {row_number}")
        )
    return records


def _cell_text(cell: Any) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def parse_csv(path: Path, body: bytes) -> list[ControlRecord]:
    """Controls from a UTF-8 CSV (with or without BOM)."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = body.count(b"\n", 0, exc.start) + 1
        raise InputFileError(
            f"{path}: row {row}: bad encoding: not UTF-8 (byte 0x{body[exc.start]:02x} "
            f"at offset {exc.start}); save the file as UTF-8"
        ) from None
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise InputFileError(f"{path}: malformed CSV: {exc}") from None
    return _tabular_records(path, rows)


def parse_xlsx(path: Path, body: bytes) -> list[ControlRecord]:
    """Controls from the first sheet of an XLSX workbook."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputFileError(f"{path}: not a readable XLSX workbook: {exc}") from None
    try:
        sheet = workbook.worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    return _tabular_records(path, rows)


def _oscal_prose(parts: Any) -> list[str]:
    prose = []
    for part in parts if isinstance(parts, list) else []:
        if isinstance(part, dict):
            if isinstance(part.get("prose"), str):
                prose.append(part["prose"].strip())
            prose.extend(_oscal_prose(part.get("parts")))
    return prose


def _oscal_control(
    validator: _RowValidator, control: Any, where: str, records: list[ControlRecord]
) -> None:
    if not isinstance(control, dict):
        raise InputFileError(f"{validator.path}: {where}: malformed OSCAL: expected an object")
    values: dict[str, str] = {}
    for key in ("id", "title"):
        value = control.get(key)
        if value is not None and not isinstance(value, str):
            raise InputFileError(
                f"{validator.path}: {where}.{key}: malformed OSCAL: expected a string"
            )
        values[key] = value or ""
    for key in ("id", "title"):
        if not values[key].strip():
            raise InputFileError(f"{validator.path}: {where}.{key}: missing required value")
    parts = control.get("parts", [])
    if not isinstance(parts, list):
        raise InputFileError(f"{validator.path}: {where}.parts: malformed OSCAL: expected a list")
    statement = [p for p in parts if isinstance(p, dict) and p.get("name") == "statement"]
    values["description"] = "\n".join(_oscal_prose(statement))
    props = control.get("props", [])
    if not isinstance(props, list):
        raise InputFileError(f"{validator.path}: {where}.props: malformed OSCAL: expected a list")
    topics, references = [], []
    for index, prop in enumerate(props):
        if not isinstance(prop, dict) or not isinstance(prop.get("value"), str):
            raise InputFileError(
                f"{validator.path}: {where}.props[{index}]: malformed OSCAL: "
                "expected an object with a string value"
            )
        name, value = prop.get("name"), prop["value"].strip()
        if name == "topic":
            if value not in TOPICS:
                raise InputFileError(
                    f"{validator.path}: {where}.props[{index}]: unknown topic {value!r}"
                )
            topics.append(value)
        elif name in ("owner", "responsible-party"):
            values["owner"] = value
        elif name == "reference":
            references.append(value)
        elif name == "status":
            values["status"] = "retired" if value == "withdrawn" else value
    values["topics"] = ";".join(topics)
    values["references"] = ";".join(references)
    records.append(validator.record(values, where))
    children = control.get("controls", [])
    if not isinstance(children, list):
        raise InputFileError(
            f"{validator.path}: {where}.controls: malformed OSCAL: expected a list"
        )
    for index, child in enumerate(children):
        _oscal_control(validator, child, f"{where}.controls[{index}]", records)


def parse_oscal(path: Path, body: bytes) -> list[ControlRecord]:
    """Controls from an OSCAL catalog: ``catalog.groups[].controls[]`` and nested controls."""
    try:
        document = json.loads(body.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"{path}: bad encoding: not UTF-8 (byte 0x{body[exc.start]:02x} at offset {exc.start})"
        ) from None
    except json.JSONDecodeError as exc:
        raise InputFileError(
            f"{path}: malformed OSCAL: invalid JSON at line {exc.lineno} column {exc.colno}: "
            f"{exc.msg}"
        ) from None
    if not isinstance(document, dict) or not isinstance(document.get("catalog"), dict):
        raise InputFileError(f"{path}: $.catalog: malformed OSCAL: no catalog object")
    catalog = document["catalog"]
    validator = _RowValidator(path)
    records: list[ControlRecord] = []

    def walk_groups(groups: Any, where: str) -> None:
        if not isinstance(groups, list):
            raise InputFileError(f"{path}: {where}: malformed OSCAL: expected a list")
        for index, group in enumerate(groups):
            group_path = f"{where}[{index}]"
            if not isinstance(group, dict):
                raise InputFileError(f"{path}: {group_path}: malformed OSCAL: expected an object")
            walk_controls(group.get("controls", []), f"{group_path}.controls")
            walk_groups(group.get("groups", []), f"{group_path}.groups")

    def walk_controls(controls: Any, where: str) -> None:
        if not isinstance(controls, list):
            raise InputFileError(f"{path}: {where}: malformed OSCAL: expected a list")
        for index, control in enumerate(controls):
            _oscal_control(validator, control, f"{where}[{index}]", records)

    walk_controls(catalog.get("controls", []), "$.catalog.controls")
    walk_groups(catalog.get("groups", []), "$.catalog.groups")
    if not records:
        raise InputFileError(f"{path}: $.catalog.groups: malformed OSCAL: no controls found")
    return records


def read_control_file(path: Path) -> list[ControlRecord]:
    """Every control in a CSV, XLSX or OSCAL JSON file, or InputFileError naming the place."""
    try:
        if path.is_dir():
            raise InputFileError(f"{path}: is a directory")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InputFileError(f"{path}: file is too large (limit {MAX_FILE_BYTES} bytes)")
        body = path.read_bytes()
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read: {exc.strerror}") from None
    suffix = path.suffix.lower()
    if suffix == ".xlsx" or (suffix not in (".csv", ".json") and body.startswith(b"PK")):
        return parse_xlsx(path, body)
    if suffix == ".json" or body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return parse_oscal(path, body)
    if suffix in ("", ".csv", ".txt"):
        return parse_csv(path, body)
    raise InputFileError(f"{path}: unsupported file type {suffix!r} (use .csv, .xlsx or .json)")


def write_control_file(path: Path, records: list[dict[str, Any]]) -> int:
    """Write controls as CSV (UTF-8) or XLSX, chosen by the file's suffix."""
    return write_table(path, COLUMNS, records)
