"""Gaps (with CSV/XLSX export) and the control library (with import by upload)."""

import csv
import io

from openpyxl import load_workbook
from sqlmodel import select

from dashboard.downloads import GAP_COLUMNS as COLUMNS
from dashboard.downloads import gap_export
from obligations import db
from obligations.models import AuditEvent, Control
from obligations.services.gaps import GapFilter
from obligations.services.mapping import map_control
from obligations.services.users import get_user
from tests.dashboard.conftest import button_labels
from tests.dashboard.seed import CONTROLS_CSV, import_sample_controls


def test_gaps_counts_and_exports(open_app, seeded) -> None:  # type: ignore[no-untyped-def]
    import_sample_controls(seeded.database_url)
    with db.session_scope() as session:
        analyst = get_user(session, "ana")
        map_control(session, analyst, seeded.obligation_ids[0], "RET-01", "full")
        map_control(session, analyst, seeded.hostile_obligation_id, "COMM-01", "partial")
    app = open_app("audrey", "views/gaps.py")
    metrics = {m.label: m.value for m in app.metric}
    assert metrics == {"Gaps": "3", "Uncovered": "2", "Partially covered": "1"}
    table = app.dataframe[-1].value
    assert seeded.obligation_ids[0] not in list(table["id"])
    assert {b.label for b in app.get("download_button")} == {"Export CSV", "Export XLSX"}

    app.selectbox(key="gaps_kind").set_value("partial").run()
    assert list(app.dataframe[-1].value["id"]) == [seeded.hostile_obligation_id]

    # The buttons' deferred exports: every gap matching the filters, CSV and XLSX.
    exported = gap_export(seeded.database_url, GapFilter(), ".csv")().decode()
    parsed = list(csv.reader(io.StringIO(exported)))
    assert parsed[0] == COLUMNS and len(parsed) == 4
    hostile = next(row for row in parsed if row[0] == str(seeded.hostile_obligation_id))
    assert hostile[COLUMNS.index("gap")] == "partial"
    assert hostile[COLUMNS.index("controls")] == "COMM-01"
    workbook = load_workbook(io.BytesIO(gap_export(seeded.database_url, GapFilter(), ".xlsx")()))
    sheet = workbook.active
    assert [cell.value for cell in sheet[1]] == COLUMNS and sheet.max_row == 4


def test_admin_imports_controls_by_upload(open_app) -> None:  # type: ignore[no-untyped-def]
    app = open_app("root", "views/controls.py")
    assert "No controls yet." in [i.value for i in app.info]
    app.get("file_uploader")[0].upload("library.csv", CONTROLS_CSV.encode(), "text/csv")
    app.run()
    app.button(key="controls_import").click().run()
    assert not app.error, [e.value for e in app.error]
    assert "Imported library.csv: 3 created, 0 updated, 0 unchanged." in [
        s.value for s in app.success
    ]
    assert set(app.dataframe[0].value["id"]) == {"COMM-01", "RET-01", "LIC-01"}
    with db.session_scope() as session:
        assert session.get(Control, "LIC-01").title == "Licence register <script>x</script>"
        assert session.exec(select(AuditEvent.actor).where(AuditEvent.entity_type == "control"))


def test_controls_page_shows_coverage_and_hides_import_from_analyst(open_app, seeded) -> None:  # type: ignore[no-untyped-def]
    import_sample_controls(seeded.database_url)
    with db.session_scope() as session:
        map_control(session, get_user(session, "ana"), seeded.hostile_obligation_id, "COMM-01")
    app = open_app("ana", "views/controls.py")
    assert not app.get("file_uploader") and "Import" not in button_labels(app)
    app.selectbox(key="controls_selected").set_value("COMM-01").run()
    assert list(app.dataframe[-1].value["id"]) == [seeded.hostile_obligation_id]
