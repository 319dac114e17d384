"""Obligations register: search, context, bulk assign, mapping and comments by role."""

from sqlmodel import select

from obligations import db
from obligations.models import AuditEvent, Comment, Obligation, ObligationControl
from obligations.services.users import get_user
from obligations.services.workflow import triage
from tests.dashboard.conftest import button_labels, html_bodies, texts
from tests.dashboard.seed import import_sample_controls

REGISTER = "views/register.py"


def test_search_and_filters(open_app) -> None:  # type: ignore[no-untyped-def]
    app = open_app("audrey", REGISTER)
    assert len(app.dataframe[0].value) == 4  # superseded obligations are hidden
    app.text_input(key="register_search").input("six years").run()
    (statement,) = app.dataframe[0].value["statement"]
    assert "six years" in statement
    app.text_input(key="register_search").input("").run()
    app.selectbox(key="register_modality").set_value("prohibition").run()
    assert list(app.dataframe[0].value["modality"]) == ["prohibition"]
    app.toggle(key="register_superseded").set_value(True).run()
    app.selectbox(key="register_modality").set_value("(any)").run()
    assert len(app.dataframe[0].value) == 6


def test_statement_in_context_is_escaped(open_app, seeded) -> None:  # type: ignore[no-untyped-def]
    app = open_app("audrey", REGISTER)
    app.selectbox(key="register_selected").set_value(seeded.hostile_obligation_id).run()
    (context,) = html_bodies(app)
    assert "<mark>Firms must screen every message for &lt;script&gt;" in context
    assert "<script" not in context and "<img" not in context
    assert "Notice 26-01 <b>archiving</b>" in app.dataframe[1].value["value"].tolist()
    assert not button_labels(app) & {"Applicable", "Assign", "Assign selected", "Add comment"}


def test_bulk_assign_with_due_date(open_app, seeded) -> None:  # type: ignore[no-untyped-def]
    with db.session_scope() as session:
        analyst = get_user(session, "ana")
        for obligation_id in seeded.obligation_ids[:2]:
            triage(session, analyst, obligation_id, True)
    app = open_app("ana", REGISTER)
    app.multiselect(key="register_bulk_ids").set_value(seeded.obligation_ids[:2]).run()
    app.selectbox(key="register_bulk_owner").set_value("odin").run()
    app.button(key="register_bulk_assign").click().run()
    assert "2 obligations assigned to odin." in [s.value for s in app.success]
    with db.session_scope() as session:
        owners = session.exec(
            select(Obligation.owner, Obligation.status, Obligation.due_date).where(
                Obligation.owner == "odin"
            )
        ).all()
    assert len(owners) == 2 and all(s == "assigned" and due for _, s, due in owners)


def test_map_from_suggestions_and_comment(open_app, seeded) -> None:  # type: ignore[no-untyped-def]
    import_sample_controls(seeded.database_url)
    app = open_app("ana", REGISTER)
    obligation_id = seeded.hostile_obligation_id
    app.selectbox(key="register_selected").set_value(obligation_id).run()
    key = f"register_{obligation_id}"
    (suggestions,) = [t.value for t in app.dataframe if "control_id" in t.value.columns]
    suggested = list(suggestions["control_id"])
    assert suggested[0] == "COMM-01"
    app.selectbox(key=f"{key}_coverage").set_value("partial").run()
    app.button(key=f"{key}_map").click().run()
    app.text_area(key=f"{key}_comment_body").input("Check <b>the</b> archive vendor").run()
    app.button(key=f"{key}_comment").click().run()
    assert not app.error, [e.value for e in app.error]
    assert "Check <b>the</b> archive vendor" in texts(app)
    with db.session_scope() as session:
        mapping = session.get(ObligationControl, (obligation_id, "COMM-01"))
        assert (mapping.state, mapping.coverage, mapping.decided_by) == (
            "accepted",
            "partial",
            "ana",
        )
        assert session.exec(select(Comment.author)).all() == ["ana"]
        events = session.exec(select(AuditEvent.action).where(AuditEvent.actor == "ana")).all()
    assert {"mapping.accept", "obligation.comment"} <= set(events)


def test_owner_may_comment_but_not_triage_assign_or_map(open_app, seeded) -> None:  # type: ignore[no-untyped-def]
    import_sample_controls(seeded.database_url)
    app = open_app("olga", REGISTER)
    labels = button_labels(app)
    assert "Add comment" in labels
    assert not labels & {"Applicable", "Not applicable", "Assign", "Assign selected", "Map"}
