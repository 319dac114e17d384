"""My assignments: what the signed-in control owner must act on."""

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.actions import act, show_flash
from dashboard.auth import require_user
from dashboard.components import comments_panel
from dashboard.safe_html import in_context_html
from obligations.services import workflow
from obligations.services.users import can

user = require_user("admin", "analyst", "owner")
st.header("My assignments")
show_flash()
include_completed = st.toggle("Include completed", key="mine_completed")
rows = data.assignments_of(data.url(), user.username, include_completed)
overdue = sum(1 for row in rows if row["overdue"])
columns = st.columns(2)
columns[0].metric("Assigned to me", len(rows))
columns[1].metric("Overdue", overdue)
if not rows:
    st.info("Nothing is assigned to you.")
    st.stop()
st.dataframe(
    pd.DataFrame(rows)[["obligation_id", "status", "due_date", "overdue", "assigned_by", "text"]],
    hide_index=True,
    key="mine_table",
)
obligation_id = st.selectbox(
    "Assignment",
    [row["obligation_id"] for row in rows],
    key="mine_selected",
    format_func=lambda i: f"#{i}",
)
row = data.obligation(data.url(), obligation_id)
st.html(in_context_html(row["before"], row["text"], row["after"]))
st.text(f"status {row['status']} · due {row['due_date'] or '-'}")
if can(user, "update_assignment"):
    note = st.text_area("Note", key=f"mine_note_{obligation_id}")
    note_column, done_column = st.columns(2)
    if note_column.button("Add note", key=f"mine_add_note_{obligation_id}"):
        act(workflow.update_assignment, user, obligation_id, note, False, row["row_version"],
            success="Note added.")  # fmt: skip
    if done_column.button("Mark implemented", key=f"mine_implemented_{obligation_id}"):
        act(workflow.mark_implemented, user, obligation_id, note or None, row["row_version"],
            success=f"Obligation {obligation_id} marked implemented.")  # fmt: skip
comments_panel(user, obligation_id, key=f"mine_{obligation_id}")
