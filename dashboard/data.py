"""Cached reads for the pages; every page reads through here, never with SQL."""

from __future__ import annotations

import streamlit as st

from obligations.db import session_scope
from obligations.services.register import RegisterFilter, list_register


@st.cache_data(ttl=30, show_spinner=False)
def register_page(filters: RegisterFilter, limit: int, offset: int) -> list[dict]:
    """A page of register rows (cached briefly; writes clear the cache)."""
    with session_scope() as session:
        return list_register(session, filters, limit=limit, offset=offset)
