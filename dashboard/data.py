"""Cached reads for the pages; every page reads through here, never with SQL.

Every cached function takes the database URL as its first argument so a cache entry
never outlives a switch of database (tests run many databases in one process);
:func:`changed` clears the caches after a write.
"""

from __future__ import annotations

import streamlit as st

from obligations import db
from obligations.services import audit, changes, context, gaps, overview, source_status
from obligations.services.assignments import overdue_assignments
from obligations.services.documents import list_documents
from obligations.services.register import RegisterFilter, list_register
from obligations.services.users import list_users

TTL = 60


def url() -> str:
    """The database URL in force (part of every cache key)."""
    return db.database_url()


def changed() -> None:
    """Forget cached reads after a write."""
    st.cache_data.clear()


@st.cache_data(ttl=TTL, show_spinner=False)
def register_page(
    database_url: str, filters: RegisterFilter, limit: int, offset: int
) -> list[dict]:
    """A page of register rows."""
    with db.session_scope(database_url) as session:
        return list_register(session, filters, limit=limit, offset=offset)


@st.cache_data(ttl=TTL, show_spinner=False)
def obligation(database_url: str, obligation_id: int) -> dict:
    """One obligation in its context."""
    with db.session_scope(database_url) as session:
        return context.obligation_context(session, obligation_id)


@st.cache_data(ttl=TTL, show_spinner=False)
def change_page(
    database_url: str, filters: changes.ChangeFilter, limit: int, offset: int
) -> list[dict]:
    """A page of the change feed."""
    with db.session_scope(database_url) as session:
        return changes.list_changes(session, filters, limit=limit, offset=offset)


@st.cache_data(ttl=TTL, show_spinner=False)
def change(database_url: str, version_id: int) -> changes.ChangeDetail:
    """One change with its diff and register changes."""
    with db.session_scope(database_url) as session:
        return changes.change_detail(session, version_id)


@st.cache_data(ttl=TTL, show_spinner=False)
def feed_choices(database_url: str) -> dict[str, list[str]]:
    """Filter values: sources, authority kinds, jurisdictions."""
    with db.session_scope(database_url) as session:
        return changes.feed_choices(session)


@st.cache_data(ttl=TTL, show_spinner=False)
def overview_figures(database_url: str, by: str) -> dict:
    """Everything the overview shows."""
    with db.session_scope(database_url) as session:
        overdue = overdue_assignments(session)
        return {
            "week": overview.week_figures(session),
            "open_gaps": sum(row["gaps"] for row in gaps.gap_summary(session, "source")),
            "overdue": len(overdue),
            "overdue_rows": [view.as_row() for view in overdue[:20]],
            "matrix": gaps.gap_summary(session, ("topic", by)),
            "trend": overview.weekly_trend(session),
        }


@st.cache_data(ttl=TTL, show_spinner=False)
def sources(database_url: str) -> list[dict]:
    """Every source with its last run and next scheduled run."""
    with db.session_scope(database_url) as session:
        return source_status.source_overview(session)


@st.cache_data(ttl=TTL, show_spinner=False)
def runs(database_url: str, source_id: str) -> list[dict]:
    """A source's latest runs."""
    with db.session_scope(database_url) as session:
        return source_status.recent_runs(session, source_id)


@st.cache_data(ttl=TTL, show_spinner=False)
def documents(database_url: str, source_id: str) -> list[dict]:
    """A source's documents."""
    with db.session_scope(database_url) as session:
        return list_documents(session, [source_id])


@st.cache_data(ttl=TTL, show_spinner=False)
def audit_events(
    database_url: str,
    actor: str | None,
    entity_type: str | None,
    entity_id: str | None,
    limit: int,
) -> list[dict]:
    """The newest audit events, filtered."""
    with db.session_scope(database_url) as session:
        events = audit.list_events(session, actor, entity_type, entity_id, limit=limit)
        return [event.model_dump() for event in events]


@st.cache_data(ttl=TTL, show_spinner=False)
def chain_report(database_url: str) -> audit.ChainReport:
    """The audit chain's verification (recomputes every hash, so cached)."""
    with db.session_scope(database_url) as session:
        return audit.verify_chain(session)


@st.cache_data(ttl=TTL, show_spinner=False)
def usernames(database_url: str, role: str | None = None) -> list[str]:
    """Active user names, optionally of one role."""
    with db.session_scope(database_url) as session:
        return [
            user.username
            for user in list_users(session)
            if user.active and (role is None or user.role == role)
        ]


@st.cache_data(ttl=TTL, show_spinner=False)
def comments(database_url: str, obligation_id: int) -> list[dict]:
    """An obligation's comments, oldest first."""
    from obligations.services.workflow import list_comments

    with db.session_scope(database_url) as session:
        return [comment.model_dump() for comment in list_comments(session, obligation_id)]


@st.cache_data(ttl=TTL, show_spinner=False)
def suggestions(database_url: str, obligation_id: int) -> list[dict]:
    """Ranked control suggestions for an obligation, best first."""
    from obligations.services.mapping import suggest_controls

    with db.session_scope(database_url) as session:
        return [
            suggestion.as_row(rank)
            for rank, suggestion in enumerate(suggest_controls(session, obligation_id), 1)
        ]


@st.cache_data(ttl=TTL, show_spinner=False)
def assignments_of(database_url: str, username: str, include_completed: bool) -> list[dict]:
    """A user's active assignments, soonest due first."""
    from obligations.services.assignments import my_assignments
    from obligations.services.users import get_user

    with db.session_scope(database_url) as session:
        user = get_user(session, username)
        return [view.as_row() for view in my_assignments(session, user, None, include_completed)]


@st.cache_data(ttl=TTL, show_spinner=False)
def controls(database_url: str) -> list[dict]:
    """The control library with how many obligations each covers."""
    from obligations.services.controls import list_controls

    with db.session_scope(database_url) as session:
        return list_controls(session)


@st.cache_data(ttl=TTL, show_spinner=False)
def assignable_owners(database_url: str) -> list[str]:
    """Active users who may own assignments (owners and admins)."""
    with db.session_scope(database_url) as session:
        return [
            user.username
            for user in list_users(session)
            if user.active and user.role in ("owner", "admin")
        ]


@st.cache_data(ttl=TTL, show_spinner=False)
def gap_list(database_url: str, filters: gaps.GapFilter, limit: int, offset: int) -> list[dict]:
    """A page of obligations with a gap (unmapped or only partially covered)."""
    with db.session_scope(database_url) as session:
        return gaps.list_gaps(session, filters, limit=limit, offset=offset)


@st.cache_data(ttl=TTL, show_spinner=False)
def gap_summary(database_url: str, by: str, filters: gaps.GapFilter) -> list[dict]:
    """Gap counts (unmapped, partial, total) per topic, owner, source or jurisdiction."""
    with db.session_scope(database_url) as session:
        return gaps.gap_summary(session, by, filters)


@st.cache_data(ttl=TTL, show_spinner=False)
def covered_by(database_url: str, control_id: str) -> list[dict]:
    """The obligations a control covers."""
    with db.session_scope(database_url) as session:
        return context.obligations_for_control(session, control_id)
