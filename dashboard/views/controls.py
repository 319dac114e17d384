"""Controls: the library, the obligations each control covers, and import."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.actions import perform, show_flash
from dashboard.auth import require_user
from obligations.services.controls import import_controls
from obligations.services.users import can


def import_upload(user, upload) -> None:  # type: ignore[no-untyped-def]
    """Import an uploaded file through the library (all-or-nothing, audited)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(upload.name).name
        path.write_bytes(upload.getvalue())
        summary = perform(import_controls, path, user)
    if summary is not None:
        st.session_state["flash"] = (
            f"Imported {upload.name}: {len(summary.created)} created, "
            f"{len(summary.updated)} updated, {len(summary.unchanged)} unchanged."
        )
        st.rerun()


user = require_user("admin", "analyst", "auditor")
st.header("Controls")
show_flash()
if can(user, "import_controls"):
    with st.expander("Import a control library (CSV, XLSX or OSCAL JSON)"):
        upload = st.file_uploader(
            "Control library", type=["csv", "xlsx", "json"], key="controls_upload"
        )
        if upload is not None and st.button("Import", key="controls_import"):
            import_upload(user, upload)
rows = data.controls(data.url())
if not rows:
    st.info("No controls yet.")
    st.stop()
frame = pd.DataFrame(rows)
for column in ("topics", "references"):
    if column in frame:
        frame[column] = frame[column].map(lambda v: ", ".join(v) if isinstance(v, list) else "")
st.dataframe(frame, hide_index=True, key="controls_table")
control_id = st.selectbox("Control", [row["id"] for row in rows], key="controls_selected")
control = next(row for row in rows if row["id"] == control_id)
st.text(f"{control['id']} · {control['title']}\n{control.get('description') or ''}")
covered = data.covered_by(data.url(), control_id)
st.subheader(f"Obligations covered ({control['obligations']})")
if covered:
    st.dataframe(
        pd.DataFrame(covered)[["id", "source_id", "modality", "status", "text"]], hide_index=True
    )
else:
    st.caption("None mapped yet.")
