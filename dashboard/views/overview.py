"""Overview: what arrived this week, open gaps, overdue assignments, and the trend."""

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.auth import require_user

require_user()
st.header("Overview")
by = (
    st.segmented_control("Gaps by", ["source", "owner"], default="source", key="overview_by")
    or "source"
)
figures = data.overview_figures(data.url(), by)
week = figures["week"]

columns = st.columns(5)
columns[0].metric("New documents (7 days)", week["new_documents"])
columns[1].metric("Changed documents (7 days)", week["changed_versions"])
columns[2].metric("New obligations (7 days)", week["new_obligations"])
columns[3].metric("Open gaps", figures["open_gaps"])
columns[4].metric("Overdue assignments", figures["overdue"])

left, right = st.columns(2)
with left:
    st.subheader("New obligations by topic")
    topics = pd.DataFrame(
        {"topic": list(week["new_by_topic"]), "obligations": list(week["new_by_topic"].values())}
    )
    if topics.empty:
        st.caption("No new obligations this week.")
    else:
        st.bar_chart(topics, x="topic", y="obligations", horizontal=True)
with right:
    st.subheader("New obligations by jurisdiction")
    places = pd.DataFrame(
        {
            "jurisdiction": list(week["new_by_jurisdiction"]),
            "obligations": list(week["new_by_jurisdiction"].values()),
        }
    )
    if places.empty:
        st.caption("No new obligations this week.")
    else:
        st.bar_chart(places, x="jurisdiction", y="obligations")

st.subheader(f"Open gaps by topic and {by}")
key = "source_id" if by == "source" else "owner"
matrix = pd.DataFrame(figures["matrix"], columns=["topic", key, "gaps"])
matrix[key] = matrix[key].fillna("(unassigned)")
if matrix.empty:
    st.caption("No open gaps.")
else:
    heatmap = (
        alt.Chart(matrix)
        .mark_rect()
        .encode(
            x=alt.X(f"{key}:N", title=by),
            y=alt.Y("topic:N", title="topic"),
            color=alt.Color("gaps:Q", scale=alt.Scale(scheme="orangered")),
            tooltip=["topic", key, "gaps"],
        )
    )
    st.altair_chart(heatmap, width="stretch")

st.subheader("Trend (12 weeks)")
trend = pd.DataFrame(figures["trend"])
st.line_chart(trend, x="week", y=["new_obligations", "changed_documents"])

st.subheader("Overdue assignments")
if figures["overdue_rows"]:
    st.dataframe(pd.DataFrame(figures["overdue_rows"]), hide_index=True)
else:
    st.caption("Nothing is overdue.")
