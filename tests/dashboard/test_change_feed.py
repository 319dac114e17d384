"""Change feed: versions newest first, filters, the escaped redline, triage and assign."""

from sqlmodel import select

from obligations import db
from obligations.models import AuditEvent, Obligation
from tests.dashboard.conftest import button_labels, html_bodies, texts

FEED = "views/changes.py"
ACTION_BUTTONS = {"Applicable", "Not applicable", "Assign", "Map", "Reject", "Add comment"}


def test_feed_lists_versions_and_renders_hostile_text_inert(open_app, seeded) -> None:  # type: ignore[no-untyped-def]
    app = open_app("ana", FEED)
    table = app.dataframe[0].value
    assert list(table["change_kind"]).count("changed") == 1 and len(table) == 3
    app.selectbox(key="feed_version").set_value(seeded.second_version_id).run()
    (redline,) = html_bodies(app)
    assert "<script" not in redline and "<img" not in redline
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in redline
    assert "onerror=&quot;alert(2)&quot;" in redline
    assert "six</ins>" in redline and "three</del>" in redline
    assert "[click me](javascript:alert(3)) **bold**" in redline  # Markdown is not processed
    assert "Notice 26-01 <b>archiving</b>" in texts(app)  # the title is plain text
    tabs = [tab.label for tab in app.tabs]
    assert {"Added (1)", "Amended (1)", "Removed (1)"} <= set(tabs)
    assert [link.proto.url for link in app.get("link_button")] == [
        "https://regulator.example/n/26-01"
    ]


def test_filters_narrow_the_feed(open_app) -> None:  # type: ignore[no-untyped-def]
    app = open_app("audrey", FEED)
    app.selectbox(key="feed_place").set_value("HK").run()
    table = app.dataframe[0].value
    assert list(table["source_id"]) == ["hk-circulars"]
    assert not app.get("link_button")  # its address is javascript:, never a link
    app.selectbox(key="feed_place").set_value("(any)").run()
    app.toggle(key="feed_changed_only").set_value(True).run()
    assert list(app.dataframe[0].value["change_kind"]) == ["changed"]
    app.toggle(key="feed_changed_only").set_value(False).run()
    app.selectbox(key="feed_topic").set_value("licensing_registration").run()
    assert list(app.dataframe[0].value["source_id"]) == ["hk-circulars"]


def test_analyst_triages_and_assigns_from_the_feed(open_app, seeded) -> None:  # type: ignore[no-untyped-def]
    app = open_app("ana", FEED)
    app.selectbox(key="feed_version").set_value(seeded.second_version_id).run()
    obligation_id = seeded.hostile_obligation_id
    app.selectbox(key="feed_act_on").set_value(obligation_id).run()
    key = f"feed_{obligation_id}"
    app.button(key=f"{key}_applicable").click().run()
    assert not app.exception and not app.error
    assert f"Obligation {obligation_id} triaged as applicable." in [s.value for s in app.success]
    app.selectbox(key=f"{key}_owner").set_value("olga").run()
    app.button(key=f"{key}_assign").click().run()
    assert not app.error, [e.value for e in app.error]
    with db.session_scope() as session:
        obligation = session.get(Obligation, obligation_id)
        assert obligation.status == "assigned" and obligation.owner == "olga"
        actions = session.exec(
            select(AuditEvent.action).where(
                AuditEvent.actor == "ana", AuditEvent.entity_id == str(obligation_id)
            )
        ).all()
    assert list(actions) == ["obligation.triage", "obligation.assign"]


def test_not_applicable_without_reason_is_refused_and_changes_nothing(open_app, seeded) -> None:  # type: ignore[no-untyped-def]
    app = open_app("root", FEED)
    app.selectbox(key="feed_version").set_value(seeded.second_version_id).run()
    obligation_id = seeded.hostile_obligation_id
    app.selectbox(key="feed_act_on").set_value(obligation_id).run()
    app.button(key=f"feed_{obligation_id}_not_applicable").click().run()
    assert "reason is required" in app.error[0].value
    with db.session_scope() as session:
        assert session.get(Obligation, obligation_id).status == "new"


def test_auditor_and_owner_see_no_triage_or_assign(open_app, seeded) -> None:  # type: ignore[no-untyped-def]
    auditor = open_app("audrey", FEED)
    auditor.selectbox(key="feed_version").set_value(seeded.second_version_id).run()
    assert not button_labels(auditor) & ACTION_BUTTONS
    owner = open_app("olga", FEED)
    owner.selectbox(key="feed_version").set_value(seeded.second_version_id).run()
    assert button_labels(owner) & ACTION_BUTTONS == {"Add comment"}
