"""Change feed: new document versions newest first, with a word-level redline."""

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.actions import show_flash
from dashboard.auth import require_user
from dashboard.components import filter_select, obligation_table, paged_rows, triage_panel
from dashboard.safe_html import redline_html, safe_link
from obligations.services.changes import ChangeFilter
from obligations.taxonomy import TOPICS
from obligations.text.diff import line_diff

PAGE_SIZE = 50

user = require_user()
st.header("Change feed")
show_flash()
choices = data.feed_choices(data.url())
columns = st.columns(5)
source = filter_select(columns[0], "Source", choices["source_id"], "feed_source")
kind = filter_select(columns[1], "Authority kind", choices["authority_kind"], "feed_authority_kind")
place = filter_select(columns[2], "Jurisdiction", choices["jurisdiction"], "feed_place")
topic = filter_select(columns[3], "Topic", TOPICS, "feed_topic")
changed_only = columns[4].toggle("Changes only", key="feed_changed_only")
filters = ChangeFilter(
    source_id=source,
    authority_kind=kind,
    jurisdiction=place,
    topic=topic,
    changed_only=changed_only,
)
rows = paged_rows(
    "feed_page",
    filters,
    lambda limit, offset: data.change_page(data.url(), filters, limit, offset),
    PAGE_SIZE,
    "versions",
)
if not rows:
    st.info("No document versions match these filters.")
    st.stop()
# st.dataframe shows crawled titles as plain text, never as HTML.
st.dataframe(
    pd.DataFrame(rows)[
        ["fetched_at", "change_kind", "source_id", "jurisdiction", "title", "version_number"]
    ],
    hide_index=True,
)
labels = {
    row["version_id"]: f"{row['fetched_at']:%Y-%m-%d %H:%M} · {row['source_id']} · "
    f"v{row['version_number']} · {row['title'][:90]}"
    for row in rows
}
version_id = st.selectbox(
    "Change", list(labels), format_func=labels.__getitem__, key="feed_version"
)
selected = next(row for row in rows if row["version_id"] == version_id)
detail = data.change(data.url(), version_id)

against = (
    f"against version {detail.previous_version_number}"
    if detail.previous_version_number
    else "(first version)"
)
st.text(
    f"{selected['title']}\n{selected['source_name']} ({selected['authority']}, "
    f"{selected['jurisdiction']}) · version {detail.version_number} {against}"
)
link = safe_link(selected["url"])
if link:
    st.link_button("Open the source document", link)
redline_tab, lines_tab = st.tabs(["Redline (words)", "Unified diff (lines)"])
with redline_tab:
    st.html(redline_html(detail.segments))
with lines_tab:
    st.code(
        line_diff(detail.old_text, detail.new_text, "previous", "this version") or "(no change)",
        language=None,
    )

st.subheader("Obligations this change touched")
added_tab, amended_tab, removed_tab = st.tabs(
    [f"Added ({len(detail.added)})", f"Amended ({len(detail.amended)})",
     f"Removed ({len(detail.removed)})"]
)  # fmt: skip
with added_tab:
    obligation_table(detail.added, key="feed_added")
with amended_tab:
    obligation_table(detail.amended, key="feed_amended", extra=["previous_text"])
with removed_tab:
    obligation_table(detail.removed, key="feed_removed")
triage_panel(user, detail.added + detail.amended, key="feed")
