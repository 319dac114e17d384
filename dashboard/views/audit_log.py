"""Audit log: every change with who made it, filterable, and the chain's verification."""

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.auth import require_user

require_user("admin", "analyst", "auditor")
st.header("Audit log")
report = data.chain_report(data.url())
if report.ok:
    st.success(f"Chain verified: {report.events} events, every hash matches.")
else:
    st.error(
        f"Chain broken at event {report.first_bad_id}: {report.reason} "
        f"({report.events} events checked)."
    )
columns = st.columns(4)
actor = columns[0].text_input("Actor", key="audit_actor").strip() or None
entity_type = columns[1].text_input("Entity type", key="audit_entity_type").strip() or None
entity_id = columns[2].text_input("Entity id", key="audit_entity_id").strip() or None
limit = columns[3].number_input("Show", 10, 5000, 200, step=100, key="audit_limit")
events = data.audit_events(data.url(), actor, entity_type, entity_id, int(limit))
st.caption(f"{len(events)} events, newest first")
if events:
    frame = pd.DataFrame(events)[
        ["id", "at", "actor", "action", "entity_type", "entity_id", "before", "after", "hash"]
    ]
    for column in ("before", "after"):
        frame[column] = frame[column].map(lambda value: "" if value is None else str(value))
    st.dataframe(frame, hide_index=True, key="audit_table")
