"""regwatch dashboard entry point: ``streamlit run dashboard/app.py``."""

import sys
from pathlib import Path

import streamlit as st

# Streamlit runs this file as a script; make the project importable from a source tree.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard.auth import current_user, default_page, pages_for, sign_out

SIGN_IN = "views/sign_in.py"

st.set_page_config(page_title="regwatch", layout="wide")
user = current_user()
if user is None:
    st.navigation([st.Page(SIGN_IN, title="Sign in", default=True)]).run()
    st.stop()

landing = default_page(user.role)
pages = [
    st.Page(spec.path, title=spec.title, icon=spec.icon, default=spec.path == landing)
    for spec in pages_for(user.role)
]
# The sign-in page stays (hidden) so a session that has just signed in moves on from it.
sign_in_page = st.Page(SIGN_IN, title="Sign in", url_path="sign_in", visibility="hidden")
page = st.navigation([*pages, sign_in_page])
if page.url_path == sign_in_page.url_path:
    st.switch_page(landing)
with st.sidebar:
    st.text(f"Signed in as {user.username} ({user.role})")
    if st.button("Sign out", key="sign_out"):
        sign_out()
        st.rerun()
page.run()
