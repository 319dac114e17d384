"""Each role's limits: navigation, direct page access, and refusals from the library."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.auth import pages_for
from obligations import db
from obligations.models import Obligation
from tests.dashboard.conftest import APP

VIEWS = Path(APP).parent / "views"
EVERY_PAGE = {
    "Overview", "My assignments", "Change feed", "Obligations register", "Gaps", "Controls",
    "Sources", "Audit log",
}  # fmt: skip


def test_navigation_per_role() -> None:
    titles = {role: {p.title for p in pages_for(role)} for role in ("admin", "analyst", "owner",
                                                                     "auditor")}  # fmt: skip
    assert titles["admin"] == titles["analyst"] == EVERY_PAGE
    assert titles["owner"] == {"Overview", "My assignments", "Change feed", "Obligations register"}
    assert titles["auditor"] == EVERY_PAGE - {"My assignments"}


def test_owner_cannot_reach_staff_pages(open_app) -> None:  # type: ignore[no-untyped-def]
    app = open_app("olga")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page("views/audit_log.py")
    # Opened directly, bypassing the navigation, the page still refuses.
    for page in ("audit_log.py", "gaps.py", "controls.py"):
        direct = AppTest.from_file(str(VIEWS / page), default_timeout=30)
        direct.session_state["username"] = "olga"
        direct.run()
        assert direct.error[0].value == "The owner role cannot open this page."
        assert not direct.dataframe


def _attempt(obligation_id: int) -> None:
    import streamlit as st

    from dashboard.actions import perform
    from dashboard.auth import require_user
    from obligations.services.workflow import triage

    user = require_user()
    if st.button("force triage"):
        perform(triage, user, obligation_id, True)


def test_library_refuses_an_action_the_page_would_hide(open_app, seeded) -> None:  # type: ignore[no-untyped-def]
    """Even if a button were shown, the auditor's action is refused and nothing changes."""
    app = AppTest.from_function(_attempt, args=(seeded.hostile_obligation_id,), default_timeout=30)
    app.session_state["username"] = "audrey"
    app.run()
    app.button[0].click().run()
    assert "user 'audrey' (role auditor) may not triage" in app.error[0].value
    with db.session_scope() as session:
        assert session.get(Obligation, seeded.hostile_obligation_id).status == "new"
