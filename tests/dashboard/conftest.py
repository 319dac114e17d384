"""Fixtures for the dashboard tests: a seeded database and the app signed in as someone."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.dashboard.seed import Seeded, seed

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"


@pytest.fixture
def seeded(database_url: str) -> Seeded:
    """The seeded database (every test gets a fresh one on each backend)."""
    st.cache_data.clear()
    return seed(database_url)


@pytest.fixture
def open_app(seeded: Seeded) -> Callable[..., AppTest]:
    """``open_app(username, page)``: the app signed in as ``username`` on ``page``."""

    def open_page(username: str | None, page: str | None = None) -> AppTest:
        app = AppTest.from_file(str(APP), default_timeout=30)
        if username:
            app.session_state["username"] = username
        app.run()
        if page:
            app.switch_page(page).run()
        assert not app.exception, app.exception
        return app

    return open_page


def html_bodies(app: AppTest) -> list[str]:
    """The bodies of every ``st.html`` element on the page."""
    return [element.proto.body for element in app.get("html")]


def texts(app: AppTest) -> str:
    """Every ``st.text`` on the page, joined."""
    return "\n".join(element.value for element in app.text)


def button_labels(app: AppTest) -> set[str]:
    """The labels of the buttons on the page (sidebar included)."""
    return {button.label for button in app.button}
