"""The job store in the project's database: sync, restart, cron change, disable, misfire."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic import command
from apscheduler.events import EVENT_JOB_EXECUTED, EVENT_JOB_MISSED
from sqlalchemy import inspect

from crawlers.scheduler import (
    JOBS_TABLE,
    SourcesWatcher,
    crawl_jobs,
    job_rows,
    make_scheduler,
    open_paused,
    report_missed,
    sync_jobs,
)
from crawlers.sources import parse_sources
from obligations import db
from obligations.cron import cron_trigger
from obligations.settings import Settings

CALLS: list[str] = []


def record(source_id: str, attempt: int = 0) -> None:
    """A stand-in crawl for jobs in these tests."""
    CALLS.append(source_id)


def sources_text(**schedules: str | None) -> str:
    tables = []
    for source_id, schedule in schedules.items():
        enabled = schedule != "disabled"
        lines = [
            "[[source]]",
            f'id = "{source_id}"',
            'name = "N"\nauthority = "A"\nauthority_kind = "regulator"',
            'jurisdiction = "US"\nlanguage = "en"\nkind = "page"',
            f'url = "http://127.0.0.1:9/{source_id}"',
            f"enabled = {'true' if enabled else 'false'}",
        ]
        if schedule and enabled:
            lines.append(f'schedule = "{schedule}"')
        elif not enabled:
            lines.append('schedule = "0 * * * *"')
        tables.append("\n".join(lines))
    return "\n\n".join(tables) + "\n"


def configs(**schedules: str | None):  # type: ignore[no-untyped-def]
    return parse_sources(sources_text(**schedules))


def settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(home=tmp_path, **values)  # type: ignore[arg-type]


def test_sync_restart_keeps_next_run_times(database_url: str, tmp_path: Path) -> None:
    scheduler = open_paused(database_url, settings(tmp_path))
    plan = sync_jobs(scheduler, configs(a="0 9 * * 1", b="*/5 * * * *", c=None))
    assert sorted(plan.add) == ["a", "b"]  # c has no schedule
    before = {row["id"]: row["next_run_time"] for row in job_rows(scheduler)}
    scheduler.shutdown(wait=False)

    restarted = open_paused(database_url, settings(tmp_path))
    try:
        assert {row["id"]: row["next_run_time"] for row in job_rows(restarted)} == before
        assert not sync_jobs(restarted, configs(a="0 9 * * 1", b="*/5 * * * *"))  # no change
        job = crawl_jobs(restarted)["a"]
        assert job.next_run_time.strftime("%a %H:%M") == "Mon 09:00"
        assert (job.max_instances, job.coalesce) == (1, True)
    finally:
        restarted.shutdown(wait=False)


def test_cron_change_and_disable_resync(database_url: str, tmp_path: Path) -> None:
    scheduler = open_paused(database_url, settings(tmp_path))
    try:
        sync_jobs(scheduler, configs(a="0 9 * * 1", b="0 * * * *"))
        scheduler.add_job(record, "date", run_date=datetime.now(UTC) + timedelta(hours=1),
                          id="retry:b", args=["b"])  # fmt: skip
        plan = sync_jobs(scheduler, configs(a="0 9 * * 3", b="disabled"))
        assert plan.update == {"a": "0 9 * * 3"} and plan.remove == ["b"]
        jobs = crawl_jobs(scheduler)
        assert list(jobs) == ["a"]
        assert jobs["a"].name == "0 9 * * 3"
        assert jobs["a"].next_run_time.strftime("%a %H:%M") == "Wed 09:00"
        assert scheduler.get_job("retry:b") is None  # a disabled source's retry goes too
        assert sync_jobs(scheduler, configs(a="0 9 * * 3")).remove == []
        assert sync_jobs(scheduler, configs(z="0 1 * * *")).remove == ["a"]  # deleted source
    finally:
        scheduler.shutdown(wait=False)


def test_watcher_resyncs_on_file_change_and_ignores_a_bad_file(
    database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(sources_text(a="0 9 * * 1"), encoding="utf-8")
    scheduler = open_paused(database_url, settings(tmp_path))
    try:
        watcher = SourcesWatcher(path, scheduler, database_url)
        assert watcher.check().add == {"a": "0 9 * * 1"}  # type: ignore[union-attr]
        assert watcher.check() is None  # unchanged file: nothing to do
        path.write_text(sources_text(a="0 10 * * 1"), encoding="utf-8")
        assert watcher.check().update == {"a": "0 10 * * 1"}  # type: ignore[union-attr]
        path.write_text("[[source]]\nid = 'broken'\n", encoding="utf-8")
        assert watcher.check() is None
        assert crawl_jobs(scheduler)["a"].name == "0 10 * * 1"  # kept as it was
    finally:
        scheduler.shutdown(wait=False)


def test_job_table_does_not_confuse_autogenerate(database_url: str, tmp_path: Path) -> None:
    scheduler = open_paused(database_url, settings(tmp_path))
    sync_jobs(scheduler, configs(a="0 9 * * 1"))
    scheduler.shutdown(wait=False)
    engine = db.get_engine(database_url)
    assert JOBS_TABLE in inspect(engine).get_table_names()
    config = db.alembic_config(database_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.check(config)  # raises if autogenerate would drop the job table


def _run_overdue(database_url: str, tmp_path: Path, grace: int) -> tuple[list[str], str, object]:
    """Store an hourly job 3 hours overdue, start a real scheduler, see what it does."""
    CALLS.clear()
    setup = open_paused(database_url, settings(tmp_path))
    sync_jobs(setup, configs(a="0 * * * *"), func=record)
    now = datetime.now(UTC)
    overdue = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=3)
    setup.modify_job("crawl:a", next_run_time=overdue)
    setup.shutdown(wait=False)

    scheduler = make_scheduler(database_url, settings(tmp_path, misfire_grace_time=grace))
    done = threading.Event()
    outcome: list[str] = []

    def listen(event) -> None:  # type: ignore[no-untyped-def]
        outcome.append("executed" if event.code == EVENT_JOB_EXECUTED else "missed")
        done.set()

    scheduler.add_listener(listen, EVENT_JOB_EXECUTED | EVENT_JOB_MISSED)
    scheduler.start(paused=True)
    sync_jobs(scheduler, configs(a="0 * * * *"), func=record, misfire_grace_time=grace)
    report = report_missed(scheduler)
    scheduler.resume()
    assert done.wait(10)
    next_run = crawl_jobs(scheduler)["a"].next_run_time
    scheduler.shutdown(wait=True)
    return list(CALLS), report[0], (outcome, next_run, now)


def test_restart_after_downtime_runs_once_within_grace(database_url: str, tmp_path: Path) -> None:
    calls, report, (outcome, next_run, now) = _run_overdue(database_url, tmp_path, grace=4 * 3600)
    assert calls == ["a"] and outcome == ["executed"]  # three missed runs coalesced into one
    assert "runs now" in report
    assert next_run > now  # then back on the hourly rhythm


def test_restart_after_downtime_beyond_grace_skips(database_url: str, tmp_path: Path) -> None:
    calls, report, (outcome, next_run, now) = _run_overdue(database_url, tmp_path, grace=1)
    if datetime.now(UTC).minute == 0 and datetime.now(UTC).second < 2:  # pragma: no cover
        return  # the latest hour is within the 1 s grace at hh:00:00
    assert calls == [] and outcome == ["missed"]
    assert "waits for its next time" in report
    assert next_run > now and next_run == cron_trigger("0 * * * *").get_next_fire_time(None, now)
