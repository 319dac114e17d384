"""Sign-in state and role-aware navigation.

Only the user name lives in the session; the user is read again on every run so a
deactivated user or a changed role takes effect at once. Roles are enforced by the
library (every action passes the signed-in user as ``actor``); the dashboard only
hides what a role may not use.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from obligations.db import session_scope
from obligations.errors import NotFoundError
from obligations.models import User
from obligations.services.users import authenticate, get_user

SESSION_KEY = "username"


@dataclass(frozen=True)
class PageSpec:
    """A dashboard page and the roles that see it in the navigation."""

    path: str
    title: str
    icon: str
    roles: frozenset[str]


ALL = frozenset({"admin", "analyst", "owner", "auditor"})
STAFF = frozenset({"admin", "analyst", "auditor"})
WORKERS = frozenset({"admin", "analyst", "owner"})
PAGES: tuple[PageSpec, ...] = (
    PageSpec("views/overview.py", "Overview", ":material/dashboard:", ALL),
    PageSpec("views/my_assignments.py", "My assignments", ":material/task:", WORKERS),
    PageSpec("views/changes.py", "Change feed", ":material/difference:", ALL),
    PageSpec("views/register.py", "Obligations register", ":material/gavel:", ALL),
    PageSpec("views/gaps.py", "Gaps", ":material/report:", STAFF),
    PageSpec("views/controls.py", "Controls", ":material/verified_user:", STAFF),
    PageSpec("views/sources.py", "Sources", ":material/rss_feed:", STAFF),
    PageSpec("views/audit_log.py", "Audit log", ":material/history:", STAFF),
)  # fmt: skip


def pages_for(role: str) -> list[PageSpec]:
    """The pages a role sees, in navigation order."""
    return [page for page in PAGES if role in page.roles]


def default_page(role: str) -> str:
    """Owners land on their assignments; everyone else on the overview."""
    return "views/my_assignments.py" if role == "owner" else "views/overview.py"


def current_user() -> User | None:
    """The signed-in, still active user, or None."""
    username = st.session_state.get(SESSION_KEY)
    if not username:
        return None
    with session_scope() as session:
        try:
            user = get_user(session, username)
        except NotFoundError:
            user = None
    if user is None or not user.active or user.username != username:
        st.session_state.pop(SESSION_KEY, None)
        return None
    return user


def require_user(*roles: str) -> User:
    """The signed-in user; stops the page when nobody is (or the role may not see it)."""
    user = current_user()
    if user is None:
        st.warning("Sign in to see this page.")
        st.stop()
    if roles and user.role not in roles:
        st.error(f"The {user.role} role cannot open this page.")
        st.stop()
    return user  # type: ignore[return-value]


def sign_in(username: str, password: str) -> User | None:
    """Check the password (argon2, in the library) and remember the user."""
    with session_scope() as session:
        user = authenticate(session, username.strip(), password)
    if user is not None:
        st.session_state[SESSION_KEY] = user.username
    return user


def sign_out() -> None:
    """Forget the signed-in user and everything the session kept."""
    for key in list(st.session_state.keys()):
        del st.session_state[key]
