"""Sources: last run, status, documents, errors, next scheduled run; run one now."""

import os
import subprocess
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.actions import perform, show_flash
from dashboard.auth import require_user
from obligations import db
from obligations.services.source_status import request_crawl
from obligations.services.users import can
from obligations.settings import get_settings

user = require_user()
st.header("Sources")
show_flash()
rows = data.sources(data.url())
if not rows:
    st.info("No sources yet: run `regwatch crawl` once to load the source definitions.")
    st.stop()
frame = pd.DataFrame(rows)[
    ["id", "status", "last_run_at", "next_run_at", "documents", "new_versions", "errors",
     "error", "authority", "jurisdiction", "schedule", "enabled"]
]  # fmt: skip
status_counts = frame["status"].value_counts().to_dict()
columns = st.columns(4)
for column, status in zip(columns, ["ok", "failed", "blocked", "never run"], strict=True):
    column.metric(status, status_counts.get(status, 0))
st.dataframe(frame, hide_index=True, key="sources_table")

source_id = st.selectbox("Source", [row["id"] for row in rows], key="sources_selected")
if can(user, "run_crawl") and st.button("Run now", key="sources_run_now"):
    command = perform(request_crawl, user, source_id)
    if command:
        logs = get_settings().home / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        log_file = (logs / f"crawl-{source_id}.log").open("ab")
        subprocess.Popen(
            command,
            cwd=Path(__file__).resolve().parents[2],
            env={**os.environ, "REGWATCH_DATABASE_URL": db.database_url()},
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        st.success(f"Crawl of {source_id} started; its run appears below when it finishes.")
runs_tab, documents_tab = st.tabs(["Runs", "Documents"])
with runs_tab:
    runs = data.runs(data.url(), source_id)
    if runs:
        st.dataframe(pd.DataFrame(runs).drop(columns=["source_id"]), hide_index=True)
    else:
        st.caption("Never run.")
with documents_tab:
    documents = data.documents(data.url(), source_id)
    if documents:
        st.dataframe(pd.DataFrame(documents), hide_index=True)
    else:
        st.caption("No documents.")
