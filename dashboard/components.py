"""Widgets that several pages share: paging, obligation tables, action panels."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from obligations.models import User

REGISTER_COLUMNS = ["id", "source_id", "modality", "topics", "status", "owner", "controls",
                    "retention_period_days", "text"]  # fmt: skip


def pager(key: str) -> int:
    """A zero-based page number with previous/next buttons."""
    page = st.session_state.setdefault(key, 0)
    previous_column, next_column, _ = st.columns([1, 1, 8])
    if previous_column.button("◀ Previous", key=f"{key}_previous", disabled=page == 0):
        st.session_state[key] = page - 1
        st.rerun()
    if next_column.button("Next ▶", key=f"{key}_next"):
        st.session_state[key] = page + 1
        st.rerun()
    return st.session_state[key]


def obligation_frame(rows: list[dict], extra: list[str] | None = None) -> pd.DataFrame:
    """Register rows as a table; lists joined, crawled text left as plain text."""
    columns = REGISTER_COLUMNS + (extra or [])
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("topics", "controls"):
        frame[column] = frame[column].map(lambda v: ", ".join(v) if isinstance(v, list) else "")
    return frame


def obligation_table(rows: list[dict], key: str, extra: list[str] | None = None) -> None:
    """A read-only table of register rows (or a caption when there are none)."""
    if not rows:
        st.caption("None.")
        return
    st.dataframe(obligation_frame(rows, extra), hide_index=True, key=key)


def triage_panel(user: User, rows: list[dict], key: str) -> None:
    """Triage buttons for these obligations (only for roles that may triage)."""
    del user, rows, key  # filled in once the workflow services land


def register_actions(user: User, rows: list[dict], key: str) -> None:
    """Bulk actions over the rows shown (only for roles that may assign)."""
    del user, rows, key  # filled in once the workflow services land


def obligation_detail(user: User, obligation_id: int, key: str) -> None:
    """One obligation: its statement in context, facts, source link and actions."""
    from dashboard import data
    from dashboard.safe_html import in_context_html, safe_link

    row = data.obligation(data.url(), obligation_id)
    st.subheader(f"Obligation #{row['id']}")
    st.html(in_context_html(row["before"], row["text"], row["after"]))
    facts = {
        "modality": row["modality"],
        "topics": ", ".join(row["topics"]) or "-",
        "status": row["status"],
        "owner": row["owner"] or "-",
        "due date": str(row["due_date"] or "-"),
        "retention (days)": str(row["retention_period_days"] or "-"),
        "controls": ", ".join(row["controls"]) or "-",
        "source": f"{row['source_name']} ({row['jurisdiction']})",
        "document": row["document_title"],
        "version": str(row["version_number"]),
        "change": row["change_kind"],
    }
    st.dataframe(
        pd.DataFrame({"field": list(facts), "value": list(facts.values())}),
        hide_index=True,
        key=f"{key}_facts",
    )
    link = safe_link(row["url"])
    if link:
        st.link_button("Open the source document", link)
    else:
        st.text(f"Source address: {row['url']}")
