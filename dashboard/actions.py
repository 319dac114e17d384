"""Running a library action for the signed-in user and reporting the outcome."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from dashboard.data import changed
from obligations.db import session_scope
from obligations.errors import RegwatchError

T = TypeVar("T")


def perform(
    action: Callable[..., T], *args: Any, success: str | None = None, **kwargs: Any
) -> T | None:
    """Call ``action(session, *args, **kwargs)`` in one transaction.

    A refusal (permission, conflict, bad input) is shown as an error and leaves the
    database unchanged; on success the read caches are cleared.
    """
    try:
        with session_scope() as session:
            result = action(session, *args, **kwargs)
    except RegwatchError as exc:
        st.error(str(exc))
        return None
    changed()
    if success:
        st.session_state["flash"] = success
    return result


def show_flash() -> None:
    """Show (once) the message the last successful action left."""
    message = st.session_state.pop("flash", None)
    if message:
        st.success(message)


def act(action: Callable[..., T], *args: Any, success: str, **kwargs: Any) -> None:
    """:func:`perform`, then rerun the page when it succeeded (the error stays otherwise)."""
    if perform(action, *args, success=success, **kwargs) is not None:
        st.rerun()
