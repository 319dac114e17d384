"""My assignments: an owner sees only their work, adds notes and marks it implemented."""

from datetime import date, timedelta

from obligations import db
from obligations.models import Obligation
from obligations.services.mapping import map_control
from obligations.services.users import get_user
from obligations.services.workflow import assign, mark_mapped, triage
from tests.dashboard.seed import import_sample_controls

MINE = "views/my_assignments.py"


def _assign_mapped(seeded, owner: str) -> int:  # type: ignore[no-untyped-def]
    import_sample_controls(seeded.database_url)
    obligation_id = seeded.hostile_obligation_id
    with db.session_scope() as session:
        analyst = get_user(session, "ana")
        triage(session, analyst, obligation_id, True)
        assign(session, analyst, [obligation_id], owner, date.today() + timedelta(days=10))
        map_control(session, analyst, obligation_id, "COMM-01")  # an assigned one becomes mapped
        if session.get(Obligation, obligation_id).status == "assigned":
            mark_mapped(session, analyst, obligation_id)
    return obligation_id


def test_owner_marks_their_assignment_implemented(open_app, seeded) -> None:  # type: ignore[no-untyped-def]
    obligation_id = _assign_mapped(seeded, "olga")
    app = open_app("olga")  # owners land on My assignments
    assert [h.value for h in app.header] == ["My assignments"]
    assert list(app.dataframe[0].value["obligation_id"]) == [obligation_id]
    app.text_area(key=f"mine_note_{obligation_id}").input("WORM archive switched on").run()
    app.button(key=f"mine_implemented_{obligation_id}").click().run()
    assert not app.error, [e.value for e in app.error]
    with db.session_scope() as session:
        assert session.get(Obligation, obligation_id).status == "implemented"
    assert "Nothing is assigned to you." in [i.value for i in app.info]


def test_another_owner_sees_nothing_and_cannot_act(open_app, seeded) -> None:  # type: ignore[no-untyped-def]
    obligation_id = _assign_mapped(seeded, "olga")
    other = open_app("odin", MINE)
    assert "Nothing is assigned to you." in [i.value for i in other.info]
    assert not [b for b in other.button if b.key and b.key.startswith("mine_")]
    with db.session_scope() as session:
        assert session.get(Obligation, obligation_id).status == "mapped"
