"""Gaps: obligations no control covers, or covers only partly; export CSV and XLSX."""

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.auth import require_user
from dashboard.components import filter_select, pager
from dashboard.downloads import GAP_COLUMNS, XLSX_MIME, gap_export
from obligations.services.gaps import GapFilter
from obligations.taxonomy import TOPICS

PAGE_SIZE = 500


require_user("admin", "analyst", "auditor")
st.header("Gaps")
choices = data.feed_choices(data.url())
columns = st.columns(4)
topic = filter_select(columns[0], "Topic", TOPICS, "gaps_topic")
owner = filter_select(columns[1], "Owner", data.usernames(data.url()), "gaps_owner")
source = filter_select(columns[2], "Source", choices["source_id"], "gaps_source")
kind = filter_select(columns[3], "Kind", ["unmapped", "partial"], "gaps_kind")
filters = GapFilter(topic=topic, owner=owner, source_id=source, kind=kind)

totals = data.gap_summary(data.url(), "source", filters)
unmapped = sum(row["unmapped"] for row in totals)
partial = sum(row["partial"] for row in totals)
metric_columns = st.columns(3)
metric_columns[0].metric("Gaps", unmapped + partial)
metric_columns[1].metric("Uncovered", unmapped)
metric_columns[2].metric("Partially covered", partial)
tabs = st.tabs(["By topic", "By owner", "By source", "By jurisdiction"])
for tab, dimension in zip(tabs, ["topic", "owner", "source", "jurisdiction"], strict=True):
    with tab:
        summary = pd.DataFrame(data.gap_summary(data.url(), dimension, filters))
        st.dataframe(summary, hide_index=True)

page = pager("gaps_page", filters)
rows = data.gap_list(data.url(), filters, PAGE_SIZE, page * PAGE_SIZE)
frame = pd.DataFrame(rows, columns=GAP_COLUMNS)
for column in ("topics", "controls"):
    frame[column] = frame[column].map(lambda v: ", ".join(v) if isinstance(v, list) else "")
st.dataframe(frame, hide_index=True, key="gaps_table")
st.caption(f"Page {page + 1}: {len(rows)} gaps; the exports hold every gap that matches.")
csv_column, xlsx_column = st.columns(2)
csv_column.download_button(
    "Export CSV", gap_export(data.url(), filters, ".csv"), "gaps.csv", "text/csv",
    key="gaps_csv", on_click="ignore",
)  # fmt: skip
xlsx_column.download_button(
    "Export XLSX", gap_export(data.url(), filters, ".xlsx"), "gaps.xlsx", XLSX_MIME,
    key="gaps_xlsx", on_click="ignore",
)  # fmt: skip
