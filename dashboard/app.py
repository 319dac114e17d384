"""regwatch dashboard entry point: ``streamlit run dashboard/app.py``."""

import sys
from pathlib import Path

import streamlit as st

# Streamlit runs this file as a script; make the project importable from a source tree.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

st.set_page_config(page_title="regwatch", layout="wide")
pages = [st.Page("pages/register.py", title="Obligations register", default=True)]
st.navigation(pages).run()
