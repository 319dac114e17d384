"""The scheduler's decisions, with an injected clock: no waiting."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawlers import schedule_policy as policy
from crawlers.sources import parse_sources
from obligations.cron import cron_trigger, next_fire_time

MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("0 9 * * 1", datetime(2026, 11, 30, 9, 0, tzinfo=UTC)),  # crontab 1 = Monday
        ("0 9 * * 0", datetime(2026, 11, 29, 9, 0, tzinfo=UTC)),  # 0 = Sunday
        ("0 9 * * 7", datetime(2026, 11, 29, 9, 0, tzinfo=UTC)),  # 7 = Sunday too
        ("0 9 * * 2-4", datetime(2026, 11, 24, 9, 0, tzinfo=UTC)),
        ("30 */6 * * *", datetime(2026, 11, 23, 12, 30, tzinfo=UTC)),
        ("*/1 * * * * *", datetime(2026, 11, 23, 10, 0, 1, tzinfo=UTC)),  # seconds first
    ],
)
def test_next_fire_time_uses_crontab_meaning(expression: str, expected: datetime) -> None:
    assert next_fire_time(expression, MONDAY_10) == expected


def test_step_over_weekdays_keeps_crontab_meaning() -> None:
    trigger = cron_trigger("0 9 * * */2")  # crontab: Sun, Tue, Thu, Sat
    fires, moment = [], MONDAY_10
    for _ in range(4):
        moment = trigger.get_next_fire_time(None, moment + timedelta(seconds=1))
        fires.append(moment.strftime("%a"))
    assert fires == ["Tue", "Thu", "Sat", "Sun"]


def test_invalid_cron_is_refused_by_the_sources_file() -> None:
    text = """[[source]]
id = "x"
name = "X"
authority = "X"
authority_kind = "regulator"
jurisdiction = "US"
language = "en"
kind = "page"
url = "http://127.0.0.1/x"
schedule = "0 9 * *"
"""
    with pytest.raises(Exception, match="schedule"):
        parse_sources(text, "s.toml")
    assert parse_sources(text.replace("0 9 * *", "*/1 * * * * *"))[0].schedule


def test_should_start_refuses_overlap_and_shutdown() -> None:
    stale_after = timedelta(hours=1)
    args = {"now": MONDAY_10, "stale_after": stale_after}
    assert policy.should_start(
        stopping=False, running_here=False, running_run_started_at=None, **args
    ).start
    refused = policy.should_start(
        stopping=False, running_here=True, running_run_started_at=None, **args
    )
    assert not refused.start and "still running here" in refused.reason
    elsewhere = policy.should_start(
        stopping=False,
        running_here=False,
        running_run_started_at=MONDAY_10 - timedelta(minutes=59),
        **args,
    )
    assert not elsewhere.start and "running since 2026-11-23T09:01:00" in elsewhere.reason
    stale = policy.should_start(
        stopping=False,
        running_here=False,
        running_run_started_at=MONDAY_10 - timedelta(minutes=61),
        **args,
    )
    assert stale.start  # a run left by a dead process does not block forever
    assert not policy.should_start(
        stopping=True, running_here=False, running_run_started_at=None, **args
    ).start


def test_misfire_coalesces_to_one_run_within_grace() -> None:
    hourly = cron_trigger("0 * * * *")
    stopped_since = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    now = datetime(2026, 11, 23, 10, 20, tzinfo=UTC)  # missed 07:00, 08:00, 09:00, 10:00
    assert policy.runs_to_execute(hourly, stopped_since, now, 3600, coalesce=True) == [
        datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    ]
    # 20 minutes late is past a 10-minute grace: skipped, wait for 11:00.
    assert policy.runs_to_execute(hourly, stopped_since, now, 600, coalesce=True) == []
    # Without coalescing every missed run inside the grace would run.
    assert len(policy.runs_to_execute(hourly, stopped_since, now, 4 * 3600, coalesce=False)) == 4
    assert policy.runs_to_execute(hourly, now + timedelta(minutes=40), now, 600, True) == []


def test_retry_backoff_doubles_up_to_cap_and_is_capped_in_number() -> None:
    assert [policy.retry_delay(n, 60, 600) for n in (1, 2, 3, 4, 5)] == [60, 120, 240, 480, 600]
    assert policy.retry_at(1, MONDAY_10, max_retries=2, base=60, cap=600) == MONDAY_10 + timedelta(
        seconds=60
    )
    assert policy.retry_at(3, MONDAY_10, max_retries=2, base=60, cap=600) is None


def test_judge_child() -> None:
    crashed = policy.judge_child(
        returncode=1,
        timed_out=False,
        stopped_for_shutdown=False,
        timeout=60,
        stderr_tail="Traceback …\nRuntimeError: disk full\n\n",
    )
    assert crashed.status == "failed" and crashed.retry
    assert crashed.reason == "crawl process exited with code 1: RuntimeError: disk full"
    timed_out = policy.judge_child(
        returncode=-15, timed_out=True, stopped_for_shutdown=False, timeout=60
    )
    assert (timed_out.status, timed_out.reason) == ("failed", "timed out after 60 s")
    assert timed_out.override_finished and timed_out.retry
    stopped = policy.judge_child(
        returncode=-15, timed_out=False, stopped_for_shutdown=True, timeout=60
    )
    assert stopped.status == "interrupted" and not stopped.retry
    clean = policy.judge_child(
        returncode=0, timed_out=False, stopped_for_shutdown=False, timeout=60,
        reported_statuses=["ok"],
    )  # fmt: skip
    assert clean.status is None and not clean.retry
    source_failed = policy.judge_child(
        returncode=0, timed_out=False, stopped_for_shutdown=False, timeout=60,
        reported_statuses=["failed"],
    )  # fmt: skip
    assert source_failed.status is None and source_failed.retry


def test_plan_sync_adds_updates_and_removes() -> None:
    plan = policy.plan_sync(
        desired={"a": "0 * * * *", "b": "*/5  * * * *", "c": "0 9 * * 1"},
        existing={"b": "*/5 * * * *", "c": "0 8 * * 1", "gone": "0 0 * * *"},
    )
    assert plan.add == {"a": "0 * * * *"}
    assert plan.update == {"c": "0 9 * * 1"}
    assert plan.remove == ["gone"]
    assert not policy.plan_sync({"b": "0 * * * *"}, {"b": "0 * * * *"})


def test_fingerprint_follows_content(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text("x = 1", encoding="utf-8")
    before = policy.fingerprint(tmp_path)
    assert policy.fingerprint(tmp_path) == before
    (tmp_path / "a.toml").write_text("x = 2", encoding="utf-8")
    assert policy.fingerprint(tmp_path) != before
    (tmp_path / "b.toml").write_text("", encoding="utf-8")
    assert policy.fingerprint(tmp_path / "a.toml") != policy.fingerprint(tmp_path)
