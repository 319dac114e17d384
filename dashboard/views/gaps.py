"""Placeholder until the services it needs land."""

import streamlit as st

from dashboard.auth import require_user

require_user()
st.header("gaps")
