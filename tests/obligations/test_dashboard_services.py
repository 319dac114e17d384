"""Read services behind the dashboard: change feed, overview, source status, context."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from obligations import db
from obligations.errors import NotFoundError, PermissionDeniedError
from obligations.models import AuditEvent
from obligations.services.changes import ChangeFilter, change_detail, feed_choices, list_changes
from obligations.services.context import obligation_context, obligations_for_control
from obligations.services.mapping import map_control
from obligations.services.overview import week_figures, weekly_trend
from obligations.services.source_status import next_run_at, request_crawl, source_overview
from obligations.services.users import get_user
from tests.dashboard.seed import HOSTILE, import_sample_controls, seed


@pytest.fixture
def seeded(database_url: str):  # type: ignore[no-untyped-def]
    return seed(database_url)


def test_change_feed_newest_first_with_filters(seeded) -> None:  # type: ignore[no-untyped-def]
    with db.session_scope() as session:
        rows = list_changes(session)
        assert [r["change_kind"] for r in rows].count("changed") == 1 and len(rows) == 3
        times = [r["fetched_at"] for r in rows]
        assert times == sorted(times, reverse=True)
        assert [r["source_id"] for r in list_changes(session, ChangeFilter(jurisdiction="HK"))] == [
            "hk-circulars"
        ]
        assert list_changes(session, ChangeFilter(authority_kind="news")) == []
        by_topic = list_changes(session, ChangeFilter(topic="communications_archiving"))
        assert {r["source_id"] for r in by_topic} == {"us-notices"}
        assert len(list_changes(session, limit=1, offset=1)) == 1
        assert feed_choices(session)["jurisdiction"] == ["HK", "US"]


def test_change_detail_diff_and_register_changes(seeded) -> None:  # type: ignore[no-untyped-def]
    with db.session_scope() as session:
        detail = change_detail(session, seeded.second_version_id)
        assert detail.previous_version_number == 1
        inserted = "".join(s.text for s in detail.segments if s.op == "insert")
        deleted = "".join(s.text for s in detail.segments if s.op == "delete")
        assert "six" in inserted and "three" in deleted and HOSTILE in inserted
        assert [r["id"] for r in detail.added] == [seeded.hostile_obligation_id]
        (amended,) = detail.amended
        assert "six years" in amended["text"] and "three years" in amended["previous_text"]
        (removed,) = detail.removed
        assert "annual report" in removed["text"]
        first = change_detail(session, seeded.first_version_id)
        assert first.previous_version_number is None and first.old_text == ""
        with pytest.raises(NotFoundError):
            change_detail(session, 999)


def test_week_figures_and_trend(seeded) -> None:  # type: ignore[no-untyped-def]
    with db.session_scope() as session:
        week = week_figures(session)
        assert (week["new_documents"], week["changed_versions"], week["new_obligations"]) == (
            2,
            1,
            6,
        )
        assert week["new_by_jurisdiction"] == {"US": 5, "HK": 1}
        topic_counts = list(week["new_by_topic"].values())
        assert topic_counts == sorted(topic_counts, reverse=True) and sum(topic_counts) >= 6
        assert week["new_by_topic"]["licensing_registration"] == 1
        trend = weekly_trend(session, weeks=4)
        assert len(trend) == 4 and trend[-1]["new_obligations"] == 6
        assert trend[-1]["changed_documents"] == 1 and trend[0]["new_obligations"] == 0
        later = weekly_trend(session, now=datetime(2030, 1, 1, tzinfo=UTC), weeks=2)
        assert all(w["new_obligations"] == 0 for w in later)


def test_next_run_uses_crontab_weekdays() -> None:
    monday = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
    assert next_run_at("30 2 * * 1", monday) == datetime(2026, 11, 30, 2, 30, tzinfo=UTC)
    assert next_run_at("0 9 * * 0", monday) == datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
    assert next_run_at("0 9 * * 7", monday) == datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
    assert next_run_at("0 9 * * 1-5", monday) == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert next_run_at("0 */6 * * *", monday) == datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    for bad in (None, "", "not a cron", "0 9 * * 9", "61 * * * *"):
        assert next_run_at(bad, monday) is None


def test_source_overview_and_crawl_request(seeded) -> None:  # type: ignore[no-untyped-def]
    with db.session_scope() as session:
        rows = {row["id"]: row for row in source_overview(session)}
        assert rows["us-notices"]["status"] == "ok" and rows["us-notices"]["documents"] == 1
        assert rows["hk-circulars"]["status"] == "failed"
        assert rows["hk-circulars"]["error"] == "HTTP 503 from the listing page"
        assert rows["hk-circulars"]["next_run_at"] is not None
        with pytest.raises(PermissionDeniedError):
            request_crawl(session, get_user(session, "audrey"), "us-notices")
        with pytest.raises(NotFoundError):
            request_crawl(session, get_user(session, "ana"), "nope")
        command = request_crawl(session, get_user(session, "ana"), "us-notices")
        assert command[-4:] == ["--source", "us-notices", "--trigger", "manual"]
    with db.session_scope() as session:
        actions = session.exec(
            select(AuditEvent.actor).where(AuditEvent.action == "crawl.request")
        ).all()
    assert actions == ["ana"]


def test_obligation_context_and_coverage(seeded) -> None:  # type: ignore[no-untyped-def]
    import_sample_controls(seeded.database_url)
    with db.session_scope() as session:
        row = obligation_context(session, seeded.hostile_obligation_id, width=40)
        assert row["text"].startswith("Firms must screen") and len(row["before"]) == 40
        assert row["before"].endswith("before the period ends. ")
        assert row["url"] == "https://regulator.example/n/26-01" and row["jurisdiction"] == "US"
        map_control(session, get_user(session, "ana"), seeded.hostile_obligation_id, "COMM-01")
        covered = obligations_for_control(session, "COMM-01")
        assert [r["id"] for r in covered] == [seeded.hostile_obligation_id]
        assert obligations_for_control(session, "RET-01") == []
        with pytest.raises(NotFoundError):
            obligation_context(session, 12345)
