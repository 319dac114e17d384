"""Gaps: obligations no control covers, or covers only partly; export CSV and XLSX."""

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.auth import require_user
from dashboard.downloads import GAP_COLUMNS, XLSX_MIME, export_bytes
from obligations.taxonomy import TOPICS

ANY = "(any)"

require_user("admin", "analyst", "auditor")
st.header("Gaps")
choices = data.feed_choices(data.url())
columns = st.columns(3)
topic = columns[0].selectbox("Topic", [ANY, *TOPICS], key="gaps_topic")
owner = columns[1].selectbox("Owner", [ANY, *data.usernames(data.url())], key="gaps_owner")
source = columns[2].selectbox("Source", [ANY, *choices["source_id"]], key="gaps_source")
rows = data.gaps(
    data.url(),
    None if topic == ANY else topic,
    None if owner == ANY else owner,
    None if source == ANY else source,
)
uncovered = sum(1 for row in rows if row["coverage"] == "none")
metric_columns = st.columns(3)
metric_columns[0].metric("Gaps shown", len(rows))
metric_columns[1].metric("Uncovered", uncovered)
metric_columns[2].metric("Partially covered", len(rows) - uncovered)
frame = pd.DataFrame(rows, columns=GAP_COLUMNS)
frame["topics"] = frame["topics"].map(lambda v: ", ".join(v) if isinstance(v, list) else "")
frame["controls"] = frame["controls"].map(lambda v: ", ".join(v) if isinstance(v, list) else "")
by_topic = frame.assign(topic=frame["topics"].str.split(", ")).explode("topic")
summary_topic, summary_owner, summary_source = st.tabs(["By topic", "By owner", "By source"])
with summary_topic:
    st.dataframe(by_topic.groupby("topic").size().rename("gaps").reset_index(), hide_index=True)
with summary_owner:
    owners = frame["owner"].fillna("(unassigned)")
    st.dataframe(owners.value_counts().rename("gaps").reset_index(), hide_index=True)
with summary_source:
    st.dataframe(frame["source_id"].value_counts().rename("gaps").reset_index(), hide_index=True)
st.dataframe(frame, hide_index=True, key="gaps_table")
csv_column, xlsx_column = st.columns(2)
csv_column.download_button(
    "Export CSV", export_bytes(rows, GAP_COLUMNS, ".csv"), "gaps.csv", "text/csv", key="gaps_csv"
)
xlsx_column.download_button(
    "Export XLSX",
    export_bytes(rows, GAP_COLUMNS, ".xlsx"),
    "gaps.xlsx",
    XLSX_MIME,
    key="gaps_xlsx",
)
