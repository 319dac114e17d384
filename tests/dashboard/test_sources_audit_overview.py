"""Sources (status, next run, run now), the audit log (chain status) and the overview."""

import subprocess
import sys

from sqlalchemy import text
from sqlmodel import select

from obligations import db
from obligations.models import AuditEvent
from obligations.settings import get_settings
from tests.dashboard.conftest import button_labels


def test_sources_show_status_next_run_and_errors(open_app) -> None:  # type: ignore[no-untyped-def]
    app = open_app("audrey", "views/sources.py")
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["ok"] == "1" and metrics["failed"] == "1"
    table = app.dataframe[0].value.set_index("id")
    assert table.loc["hk-circulars", "error"] == "HTTP 503 from the listing page"
    assert table.loc["us-notices", "documents"] == 1
    next_run = table.loc["hk-circulars", "next_run_at"]
    assert (next_run.weekday(), next_run.hour, next_run.minute) == (0, 2, 30)
    assert "Run now" not in button_labels(app)  # auditors change nothing


def test_run_now_starts_the_crawl_command_and_audits(open_app, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    started: list[tuple[list[str], dict]] = []

    class FakeProcess:
        def __init__(self, command: list[str], **options: object) -> None:
            started.append((command, options))

    monkeypatch.setattr(subprocess, "Popen", FakeProcess)
    monkeypatch.setenv("REGWATCH_HOME", str(tmp_path))
    get_settings.cache_clear()
    try:
        app = open_app("ana", "views/sources.py")
        app.selectbox(key="sources_selected").set_value("us-notices").run()
        app.button(key="sources_run_now").click().run()
    finally:
        get_settings.cache_clear()
    assert not app.error, [e.value for e in app.error]
    ((command, options),) = started
    assert command[:6] == [sys.executable, "-m", "crawlers", "crawl", "--source", "us-notices"]
    assert options["env"]["REGWATCH_DATABASE_URL"] == db.database_url()
    assert (tmp_path / "logs" / "crawl-us-notices.log").exists()
    with db.session_scope() as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "crawl.request")).one()
    assert (event.actor, event.entity_id) == ("ana", "us-notices")


def test_audit_log_filters_and_reports_a_broken_chain(open_app) -> None:  # type: ignore[no-untyped-def]
    app = open_app("audrey", "views/audit_log.py")
    # 5 users added, and 2 obligations superseded by the seeded second version
    assert app.success[0].value.startswith("Chain verified: 7 events")
    app.text_input(key="audit_actor").input("nobody").run()
    assert "0 events, newest first" in [c.value for c in app.caption]
    with db.session_scope() as session:  # tamper with the first event behind the library's back
        session.connection().execute(text("UPDATE auditevent SET actor = 'mallory' WHERE id = 1"))
    from dashboard.data import changed

    changed()
    app.run()
    assert app.error[0].value.startswith("Chain broken at event 1: its content was edited")


def test_overview_figures(open_app) -> None:  # type: ignore[no-untyped-def]
    app = open_app("olga", "views/overview.py")
    metrics = {m.label: m.value for m in app.metric}
    assert metrics == {
        "New documents (7 days)": "2",
        "Changed documents (7 days)": "1",
        "New obligations (7 days)": "6",
        "Open gaps": "4",
        "Overdue assignments": "0",
    }
    assert app.get("arrow_vega_lite_chart") or app.get("vega_lite_chart")
    app.segmented_control(key="overview_by").set_value("owner").run()
    assert not app.exception and "Open gaps by topic and owner" in [h.value for h in app.subheader]
