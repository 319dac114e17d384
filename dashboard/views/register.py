"""Obligations register: search and filter, one obligation in context, and its actions."""

import streamlit as st

from dashboard import data
from dashboard.actions import show_flash
from dashboard.auth import require_user
from dashboard.components import (
    filter_select,
    obligation_detail,
    obligation_frame,
    paged_rows,
    register_actions,
)
from obligations.services.register import RegisterFilter
from obligations.services.workflow import STATUSES
from obligations.taxonomy import MODALITIES, TOPICS

PAGE_SIZE = 200

user = require_user()
st.header("Obligations register")
show_flash()
choices = data.feed_choices(data.url())
search_column, topic_column, modality_column = st.columns([2, 1, 1])
search = search_column.text_input("Search text", key="register_search")
topic = filter_select(topic_column, "Topic", TOPICS, "register_topic")
modality = filter_select(modality_column, "Modality", MODALITIES, "register_modality")
source_column, status_column, owner_column, superseded_column = st.columns([1, 1, 1, 1])
source = filter_select(source_column, "Source", choices["source_id"], "register_source")
status = filter_select(status_column, "Status", STATUSES, "register_status")
owner = filter_select(owner_column, "Owner", data.usernames(data.url()), "register_owner")
include_superseded = superseded_column.toggle("Include superseded", key="register_superseded")
filters = RegisterFilter(
    search=search.strip() or None,
    topic=topic,
    modality=modality,
    source_id=source,
    status=None if status is None else [status],
    owner=owner,
    include_superseded=include_superseded,
)
rows = paged_rows(
    "register_page",
    filters,
    lambda limit, offset: data.register_page(data.url(), filters, limit, offset),
    PAGE_SIZE,
    "obligations shown",
)
# Crawled text is data: st.dataframe renders it as plain text, never as HTML.
frame = obligation_frame(rows).rename(
    columns={
        "source_id": "source",
        "retention_period_days": "retention (days)",
        "text": "statement",
    }
)
frame["owner"] = frame["owner"].fillna("")
st.dataframe(frame, hide_index=True, key="register_table")
if not rows:
    st.stop()
register_actions(user, rows, key="register")
ids = [row["id"] for row in rows]
selected = st.selectbox("Obligation", ids, key="register_selected", format_func=lambda i: f"#{i}")
obligation_detail(user, selected, key="register")
