"""Widgets that several pages share: paging, obligation tables, action panels."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard import data
from dashboard.actions import act
from dashboard.safe_html import in_context_html, safe_link
from obligations.models import User
from obligations.services import workflow
from obligations.services.mapping import map_control
from obligations.services.users import can
from obligations.taxonomy import COVERAGE_LEVELS

ANY = "(any)"
REGISTER_COLUMNS = ["id", "source_id", "modality", "topics", "status", "owner", "controls",
                    "retention_period_days", "text"]  # fmt: skip


def filter_select(
    container: DeltaGenerator, label: str, options: Iterable[str], key: str
) -> str | None:
    """A filter select box whose first choice, "(any)", means no filter (None)."""
    chosen = container.selectbox(label, [ANY, *options], key=key)
    return None if chosen == ANY else chosen


def pager(key: str, filters: object = None) -> int:
    """A zero-based page number with previous/next buttons; back to 0 when ``filters`` change."""
    if st.session_state.get(f"{key}_filters") != repr(filters):
        st.session_state[f"{key}_filters"] = repr(filters)
        st.session_state[key] = 0
    page = st.session_state.setdefault(key, 0)
    previous_column, next_column, _ = st.columns([1, 1, 8])
    if previous_column.button("◀ Previous", key=f"{key}_previous", disabled=page == 0):
        st.session_state[key] = page - 1
        st.rerun()
    if next_column.button("Next ▶", key=f"{key}_next"):
        st.session_state[key] = page + 1
        st.rerun()
    return st.session_state[key]


def paged_rows(
    key: str, filters: object, fetch: Callable[[int, int], list[dict]], size: int, noun: str
) -> list[dict]:
    """One page of ``fetch(limit, offset)`` rows under a pager, with a caption that says
    whether more follow (one row beyond the page is fetched to know)."""
    page = pager(key, filters)
    rows = fetch(size + 1, page * size)
    more = " (more on the next page)" if len(rows) > size else ""
    rows = rows[:size]
    st.caption(f"Page {page + 1}: {len(rows)} {noun}{more}")
    return rows


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
    """Pick one of these obligations and act on it (actions only for roles that may)."""
    if not rows:
        return
    if not (can(user, "triage") or can(user, "assign") or can(user, "comment")):
        return
    ids = [row["id"] for row in rows]
    chosen = st.selectbox(
        "Act on obligation", ids, key=f"{key}_act_on", format_func=lambda i: f"#{i}"
    )
    obligation_actions(user, chosen, key=f"{key}_{chosen}")


def obligation_actions(user: User, obligation_id: int, key: str) -> None:
    """Triage, assign, map and comment on one obligation, as far as the role allows.

    The library checks the role again and refuses a stale edit (ConflictError) using the
    row version the page showed.
    """
    row = data.obligation(data.url(), obligation_id)
    seen = row["row_version"]
    st.text(f"#{row['id']} · status {row['status']} · owner {row['owner'] or '-'}")
    if can(user, "triage"):
        applicable_column, not_applicable_column, reason_column = st.columns([1, 1, 3])
        reason = reason_column.text_input("Reason (needed for not applicable)", key=f"{key}_reason")
        if applicable_column.button("Applicable", key=f"{key}_applicable"):
            act(
                workflow.triage,
                user,
                obligation_id,
                True,
                reason or None,
                seen,
                success=f"Obligation {obligation_id} triaged as applicable.",
            )
        if not_applicable_column.button("Not applicable", key=f"{key}_not_applicable"):
            act(
                workflow.triage,
                user,
                obligation_id,
                False,
                reason,
                seen,
                success=f"Obligation {obligation_id} marked not applicable.",
            )
    if can(user, "assign"):
        owners = data.assignable_owners(data.url())
        owner_column, due_column, button_column = st.columns([2, 2, 1])
        owner = owner_column.selectbox("Owner", owners, key=f"{key}_owner")
        due = due_column.date_input(
            "Due date", value=date.today() + timedelta(days=30), key=f"{key}_due"
        )
        if button_column.button("Assign", key=f"{key}_assign") and owner:
            act(
                workflow.assign,
                user,
                [obligation_id],
                owner,
                due,
                {obligation_id: seen},
                reassign=True,
                success=f"Obligation {obligation_id} assigned to {owner}.",
            )
    if can(user, "map"):
        map_panel(user, obligation_id, key)
    comments_panel(user, obligation_id, key)


def map_panel(user: User, obligation_id: int, key: str) -> None:
    """Accept or reject controls from the ranked suggestions."""
    suggestions = data.suggestions(data.url(), obligation_id)
    if not suggestions:
        st.caption("No control suggestions (import a control library first).")
        return
    frame = pd.DataFrame(suggestions)
    frame["reasons"] = frame["reasons"].map("; ".join)
    st.dataframe(frame, hide_index=True, key=f"{key}_suggestions")
    control_column, coverage_column, accept_column, reject_column = st.columns([2, 1, 1, 1])
    control_id = control_column.selectbox(
        "Control", [s["control_id"] for s in suggestions], key=f"{key}_control"
    )
    coverage = coverage_column.selectbox("Coverage", COVERAGE_LEVELS, key=f"{key}_coverage")
    if accept_column.button("Map", key=f"{key}_map"):
        act(
            map_control,
            user,
            obligation_id,
            control_id,
            coverage,
            True,
            success=f"Control {control_id} mapped to obligation {obligation_id}.",
        )
    if reject_column.button("Reject", key=f"{key}_reject"):
        act(
            map_control,
            user,
            obligation_id,
            control_id,
            coverage,
            False,
            success=f"Control {control_id} rejected for obligation {obligation_id}.",
        )


def comments_panel(user: User, obligation_id: int, key: str) -> None:
    """The comments (plain text) and, for roles that may comment, a box to add one."""
    for comment in data.comments(data.url(), obligation_id):
        st.text(f"{comment['author']} · {comment['created_at']:%Y-%m-%d %H:%M}\n{comment['body']}")
    if can(user, "comment"):
        body = st.text_area("Comment", key=f"{key}_comment_body")
        if st.button("Add comment", key=f"{key}_comment"):
            act(workflow.add_comment, user, obligation_id, body, success="Comment added.")


def register_actions(user: User, rows: list[dict], key: str) -> None:
    """Bulk assignment of the rows shown (only for roles that may assign)."""
    if not can(user, "assign"):
        return
    with st.expander("Bulk assign"):
        ids = st.multiselect(
            "Obligations", [row["id"] for row in rows], key=f"{key}_bulk_ids",
            format_func=lambda i: f"#{i}",
        )  # fmt: skip
        owner_column, due_column = st.columns(2)
        owner = owner_column.selectbox(
            "Owner", data.assignable_owners(data.url()), key=f"{key}_bulk_owner"
        )
        due = due_column.date_input(
            "Due date", value=date.today() + timedelta(days=30), key=f"{key}_bulk_due"
        )
        if st.button("Assign selected", key=f"{key}_bulk_assign", disabled=not ids) and owner:
            act(
                workflow.assign,
                user,
                ids,
                owner,
                due,
                reassign=True,
                success=f"{len(ids)} obligations assigned to {owner}.",
            )


def obligation_detail(user: User, obligation_id: int, key: str) -> None:
    """One obligation: its statement in context, facts, source link and actions."""
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
    obligation_actions(user, obligation_id, key=f"{key}_{obligation_id}")
