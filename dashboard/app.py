"""regwatch dashboard entry point: ``streamlit run dashboard/app.py``."""

import sys
from pathlib import Path

import streamlit as st

# Streamlit runs this file as a script; make the project importable from a source tree.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard.auth import current_user, default_page, pages_for, sign_out

st.set_page_config(page_title="regwatch", layout="wide")
user = current_user()
if user is None:
    st.navigation([st.Page("pages/sign_in.py", title="Sign in", default=True)]).run()
else:
    with st.sidebar:
        st.text(f"Signed in as {user.username} ({user.role})")
        if st.button("Sign out", key="sign_out"):
            sign_out()
            st.rerun()
    landing = default_page(user.role)
    pages = [
        st.Page(spec.path, title=spec.title, icon=spec.icon, default=spec.path == landing)
        for spec in pages_for(user.role)
    ]
    # The sign-in page stays (hidden) so a session that just signed in moves on from it.
    pages.append(st.Page("pages/sign_in.py", title="Sign in", visibility="hidden"))
    st.navigation(pages).run()
