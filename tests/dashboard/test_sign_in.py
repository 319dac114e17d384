"""Signing in with users in the database, landing pages per role, signing out."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from obligations import db
from obligations.models import User
from obligations.services.users import get_user
from tests.dashboard.conftest import APP, button_labels
from tests.dashboard.seed import PASSWORD


def _sign_in(username: str, password: str) -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=30)
    app.run()
    app.text_input(key="sign_in_username").input(username)
    app.text_input(key="sign_in_password").input(password)
    app.button(key="FormSubmitter:sign_in-Sign in").click().run()
    assert not app.exception, app.exception
    return app


def test_visitor_sees_only_the_sign_in_form(seeded) -> None:  # type: ignore[no-untyped-def]
    app = AppTest.from_file(str(APP), default_timeout=30).run()
    assert [t.value for t in app.title] == ["regwatch"]
    assert not app.header and "Sign out" not in button_labels(app)
    # A page opened directly (not through the navigation) shows nothing either.
    page = AppTest.from_file(str(Path(APP).parent / "views/register.py")).run()
    assert not page.dataframe and "Sign in" in page.warning[0].value


def test_wrong_password_and_unknown_user_are_refused(seeded) -> None:  # type: ignore[no-untyped-def]
    for username, password in (("ana", "not-the-password"), ("nobody", PASSWORD)):
        app = _sign_in(username, password)
        assert app.error[0].value == "Unknown user name or wrong password."
        assert "username" not in app.session_state


def test_analyst_lands_on_overview_and_owner_on_assignments(seeded) -> None:  # type: ignore[no-untyped-def]
    analyst = _sign_in("ana", PASSWORD)
    assert [h.value for h in analyst.header] == ["Overview"]
    assert "Signed in as ana (analyst)" in [t.value for t in analyst.text]
    owner = _sign_in("olga", PASSWORD)
    assert [h.value for h in owner.header] == ["My assignments"]


def test_sign_out_forgets_the_user(seeded) -> None:  # type: ignore[no-untyped-def]
    app = _sign_in("root", PASSWORD)
    app.button(key="sign_out").click().run()
    assert "username" not in app.session_state
    assert [t.value for t in app.title] == ["regwatch"] and not app.header


def test_deactivated_user_is_signed_out_on_the_next_run(seeded) -> None:  # type: ignore[no-untyped-def]
    app = _sign_in("ana", PASSWORD)
    with db.session_scope() as session:
        user: User = get_user(session, "ana")
        user.active = False
        session.add(user)
    app.run()
    assert "username" not in app.session_state and not app.header
