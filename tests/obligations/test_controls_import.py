"""Importing and exporting the control library: CSV, XLSX and OSCAL, all-or-nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlmodel import Session, func, select

from obligations.errors import InputFileError, PermissionDeniedError
from obligations.models import AuditEvent, Control
from obligations.services.controls import export_controls, import_controls, list_controls
from obligations.services.users import add_user

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "controls" / "sample-controls.csv"
GOOD_CSV = (
    "ID,Title,Description,Owner,Topics,References,Status\n"
    "COMM-01,Archive instant messaging,Capture WeChat and WhatsApp,comms.owner,"
    "communications_archiving;record_retention,17a-4;FINRA 3110,active\n"
    'SAN-01,Screen customers daily,"Screen against SDN, UN and EU lists",sanctions.owner,'
    "sanctions,,\n"
)
OSCAL = {
    "catalog": {
        "uuid": "7b1c0000-0000-4000-8000-000000000001",
        "metadata": {"title": "Firm controls", "version": "1", "oscal-version": "1.1.2"},
        "groups": [
            {
                "id": "comm",
                "title": "Communications",
                "controls": [
                    {
                        "id": "comm-1",
                        "title": "Archive instant messaging",
                        "props": [
                            {"name": "topic", "value": "communications_archiving"},
                            {"name": "label", "value": "COMM-1"},
                        ],
                        "parts": [
                            {"id": "comm-1_gdn", "name": "guidance", "prose": "Not this."},
                            {
                                "id": "comm-1_smt",
                                "name": "statement",
                                "prose": "Capture business chat.",
                                "parts": [{"name": "item", "prose": "Block apps without capture."}],
                            },
                        ],
                        "controls": [
                            {
                                "id": "comm-1.1",
                                "title": "Review archived chats",
                                "props": [{"name": "topic", "value": "governance_supervision"}],
                            }
                        ],
                    }
                ],
            }
        ],
    }
}


def _write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.create_sheet("ignored").append(["not", "read"])
    workbook.save(path)
    return path


def _state(session: Session) -> tuple[list[tuple], int]:
    controls = session.exec(select(Control).order_by(Control.id)).all()
    events = session.exec(select(func.count()).select_from(AuditEvent)).one()
    return [(c.id, c.title, c.topics, c.owner) for c in controls], events


def test_csv_with_bom_creates_controls_and_audits(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "controls.csv"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD_CSV.encode())
    summary = import_controls(session, path, None)
    assert summary.created == ["COMM-01", "SAN-01"]
    control = session.get(Control, "COMM-01")
    assert control.topics == ["communications_archiving", "record_retention"]
    assert control.references == ["17a-4", "FINRA 3110"]
    assert session.get(Control, "SAN-01").description == "Screen against SDN, UN and EU lists"
    assert session.get(Control, "SAN-01").status == "active"
    events = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.actor, e.action, e.entity_id) for e in events] == [
        ("cli", "control.create", "COMM-01"),
        ("cli", "control.create", "SAN-01"),
    ]


def test_reimport_updates_existing_id(session: Session, tmp_path: Path) -> None:
    admin = add_user(session, "alice", "admin")
    path = tmp_path / "controls.csv"
    path.write_text(GOOD_CSV)
    import_controls(session, path, admin)
    path.write_text(GOOD_CSV.replace("Screen customers daily", "Screen customers hourly"))
    summary = import_controls(session, path, admin)
    assert summary.updated == ["SAN-01"] and summary.unchanged == ["COMM-01"]
    assert session.get(Control, "SAN-01").title == "Screen customers hourly"
    event = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.actor, event.action) == ("alice", "control.update")
    assert event.before["title"] == "Screen customers daily"
    assert event.after["title"] == "Screen customers hourly"


def test_xlsx_first_sheet(session: Session, tmp_path: Path) -> None:
    path = _write_xlsx(
        tmp_path / "controls.xlsx",
        [
            ["id", "TITLE", "topics", "status"],
            ["EXP-01", "Classify exports", "export_controls", "draft"],
            [None, None, None, None],
            [101, "Numeric id", None, None],
        ],
    )
    summary = import_controls(session, path, None)
    assert summary.created == ["EXP-01", "101"]
    assert session.get(Control, "EXP-01").status == "draft"
    assert session.get(Control, "EXP-01").topics == ["export_controls"]


def test_oscal_catalog_with_nested_controls(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(OSCAL))
    summary = import_controls(session, path, None)
    assert summary.created == ["comm-1", "comm-1.1"]
    parent = session.get(Control, "comm-1")
    assert parent.description == "Capture business chat.\nBlock apps without capture."
    assert parent.topics == ["communications_archiving"]
    assert session.get(Control, "comm-1.1").topics == ["governance_supervision"]


def test_sample_library_covers_every_topic(session: Session) -> None:
    from obligations.taxonomy import TOPICS

    summary = import_controls(session, SAMPLE, None)
    assert 40 <= summary.total <= 60
    rows = list_controls(session)
    assert {topic for row in rows for topic in row["topics"]} == set(TOPICS)
    assert all(row["owner"] and row["obligations"] == 0 for row in rows)


def test_only_admins_import(session: Session, tmp_path: Path) -> None:
    analyst = add_user(session, "bob", "analyst")
    path = tmp_path / "controls.csv"
    path.write_text(GOOD_CSV)
    with pytest.raises(PermissionDeniedError, match="import controls"):
        import_controls(session, path, analyst)
    assert session.get(Control, "COMM-01") is None


BAD_CSV = {
    "duplicate-id": (
        "id,title\nA-1,One\nA-2,Two\nA-1,Again\n",
        r"row 4, column 'id': duplicate id 'A-1' \(first at row 2\)",
    ),
    "missing-title": ("id,title\nA-1,One\nA-2,  \n", r"row 3, column 'title': missing required"),
    "missing-column": ("id,description\nA-1,One\n", r"row 1, column 'title': missing required"),
    "unknown-column": ("id,title,colour\nA-1,One,red\n", r"row 1, column 'colour': unknown column"),
    "unknown-topic": (
        "id,title,topics\nA-1,One,sanctions\nA-2,Two,sanctions;tax\n",
        r"row 3, column 'topics': unknown topic 'tax'",
    ),
    "bad-status": ("id,title,status\nA-1,One,paused\n", r"row 2, column 'status': unknown status"),
    "extra-cells": ("id,title\nA-1,One,surplus\n", r"row 2: 3 cells but the header has 2"),
    "empty": ("", r"row 1: no header row"),
}


def test_every_bad_csv_changes_nothing(session: Session, tmp_path: Path) -> None:
    import_controls(session, _good_file(tmp_path), None)
    session.commit()
    before = _state(session)
    for case, (body, message) in BAD_CSV.items():
        path = tmp_path / f"{case}.csv"
        path.write_text(body)
        with pytest.raises(InputFileError, match=message) as caught:
            import_controls(session, path, None)
        assert str(caught.value).startswith(f"{path}: "), case
        assert _state(session) == before, case


def _good_file(tmp_path: Path) -> Path:
    path = tmp_path / "good.csv"
    path.write_text(GOOD_CSV)
    return path


def test_bad_encoding_names_the_row(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("id,title\nA-1,One\nA-2,Contrôle\n".encode("latin-1"))
    with pytest.raises(InputFileError, match=r"latin1.csv: row 3: bad encoding: not UTF-8"):
        import_controls(session, path, None)
    assert session.exec(select(Control)).all() == []


def test_bad_xlsx_row_names_row_and_column(session: Session, tmp_path: Path) -> None:
    path = _write_xlsx(tmp_path / "bad.xlsx", [["id", "title", "topics"], ["A-1", "One", "crypto"]])
    with pytest.raises(InputFileError, match=r"bad.xlsx: row 2, column 'topics': unknown topic"):
        import_controls(session, path, None)
    not_a_workbook = tmp_path / "broken.xlsx"
    not_a_workbook.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(InputFileError, match="not a readable XLSX workbook"):
        import_controls(session, not_a_workbook, None)
    assert session.exec(select(Control)).all() == []


def _broken_oscal(case: str) -> tuple[str, str]:
    document = json.loads(json.dumps(OSCAL))
    group = document["catalog"]["groups"][0]
    if case == "syntax":
        return json.dumps(document)[:-5], r"invalid JSON at line 1 column"
    if case == "no-catalog":
        return json.dumps({"profile": {}}), r"\$\.catalog: malformed OSCAL"
    if case == "controls-not-list":
        group["controls"] = {"id": "x"}
        return json.dumps(document), r"\$\.catalog\.groups\[0\]\.controls: malformed OSCAL"
    if case == "nested-missing-title":
        del group["controls"][0]["controls"][0]["title"]
        return (
            json.dumps(document),
            r"\$\.catalog\.groups\[0\]\.controls\[0\]\.controls\[0\]\.title: missing required",
        )
    if case == "unknown-topic":
        group["controls"][0]["props"][0]["value"] = "weather"
        return json.dumps(document), r"controls\[0\]\.props\[0\]: unknown topic 'weather'"
    group["controls"].append(dict(group["controls"][0], controls=[]))
    return json.dumps(document), r"controls\[1\], column 'id': duplicate id 'comm-1'"


def test_every_malformed_oscal_changes_nothing(session: Session, tmp_path: Path) -> None:
    import_controls(session, _good_file(tmp_path), None)
    session.commit()
    before = _state(session)
    cases = ["syntax", "no-catalog", "controls-not-list", "nested-missing-title", "unknown-topic"]
    for case in [*cases, "duplicate-id"]:
        body, message = _broken_oscal(case)
        path = tmp_path / f"{case}.json"
        path.write_text(body)
        with pytest.raises(InputFileError, match=message):
            import_controls(session, path, None)
        assert _state(session) == before, case


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_round_trips(session: Session, tmp_path: Path, suffix: str) -> None:
    import_controls(session, SAMPLE, None)
    path = tmp_path / f"export{suffix}"
    assert export_controls(session, path) == len(list_controls(session))
    summary = import_controls(session, path, None)
    assert summary.created == [] and summary.updated == []
    assert len(summary.unchanged) == len(list_controls(session))
