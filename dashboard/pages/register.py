"""Obligations register: search and filter the obligations regwatch has found."""

import streamlit as st

from dashboard.data import register_page
from obligations.services.register import RegisterFilter
from obligations.taxonomy import MODALITIES, TOPICS

st.header("Obligations register")
search_column, topic_column, modality_column = st.columns([2, 1, 1])
search = search_column.text_input("Search text", key="register_search")
topic = topic_column.selectbox("Topic", ["(any)", *TOPICS], key="register_topic")
modality = modality_column.selectbox("Modality", ["(any)", *MODALITIES], key="register_modality")
filters = RegisterFilter(
    search=search or None,
    topic=None if topic == "(any)" else topic,
    modality=None if modality == "(any)" else modality,
)
rows = register_page(filters, limit=200, offset=0)
st.caption(f"{len(rows)} obligations shown")
# Crawled text is data: st.dataframe renders it as plain text, never as HTML.
st.dataframe(
    [
        {
            "id": row["id"],
            "source": row["source_id"],
            "modality": row["modality"],
            "topics": ", ".join(row["topics"]),
            "status": row["status"],
            "owner": row["owner"] or "",
            "retention (days)": row["retention_period_days"],
            "statement": row["text"],
        }
        for row in rows
    ],
    hide_index=True,
    use_container_width=True,
)
