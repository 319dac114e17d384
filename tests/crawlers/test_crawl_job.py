"""A scheduled crawl's child process: crash, timeout, overlap, retry and shutdown."""

from __future__ import annotations

import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from crawlers import crawl_job
from crawlers.scheduler import open_paused
from obligations import db
from obligations.models import CrawlRun, Source
from obligations.services.sources import start_run
from obligations.settings import Settings

FAKE = Path(__file__).with_name("fake_crawl.py")
# Child processes are slow to start; their database work is covered on both backends
# by test_crawl_runs.py, so these run on SQLite only.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def runtime(database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    with db.session_scope(database_url) as session:
        source = Source(id="s", name="S", authority="A", authority_kind="regulator",
                        jurisdiction="US", language="en", kind="page", url="http://x")  # fmt: skip
        session.add(source)
    settings = Settings(home=tmp_path, crawl_timeout=20, crawl_retry_base=60, crawl_retry_max=2)
    scheduler = open_paused(database_url, settings)
    runtime = crawl_job.CrawlRuntime(
        sources_path=tmp_path / "unused.toml",
        database_url=database_url,
        settings=settings,
        scheduler=scheduler,
    )
    runtime.mode = "ok"  # type: ignore[attr-defined]
    runtime.command = lambda source_id: [  # type: ignore[method-assign]
        sys.executable, str(FAKE), source_id, runtime.mode,  # type: ignore[attr-defined]
    ]  # fmt: skip
    yield runtime
    scheduler.shutdown(wait=False)


def runs(database_url: str) -> list[CrawlRun]:
    with db.session_scope(database_url) as session:
        return list(session.exec(select(CrawlRun).order_by(CrawlRun.id)).all())


def test_clean_child_keeps_its_own_run(runtime, database_url: str) -> None:  # type: ignore[no-untyped-def]
    crawl_job.schedule_retry(runtime, "s", 1)  # left from an earlier failure
    assert runtime.scheduler.get_job("retry:s") is not None
    assert crawl_job.run_one(runtime, "s") == "done"
    [run] = runs(database_url)
    assert (run.status, run.trigger, run.requests) == ("ok", "scheduled", 1)
    assert runtime.scheduler.get_job("retry:s") is None
    assert runtime.children == {}


def test_crash_after_opening_a_run_fails_it_and_schedules_a_retry(runtime, database_url) -> None:  # type: ignore[no-untyped-def]
    runtime.mode = "crash-after"
    before = datetime.now(UTC)
    assert crawl_job.run_one(runtime, "s") == "failed"
    [run] = runs(database_url)
    assert run.status == "failed"
    assert run.error == "crawl process exited with code 139: Fatal Python error: Segmentation fault"
    retry = runtime.scheduler.get_job("retry:s")
    assert retry.kwargs == {"attempt": 1} and retry.args == ("s",)
    delay = (retry.next_run_time - before).total_seconds()
    assert 59 <= delay <= 90  # first backoff: crawl_retry_base
    with db.session_scope(database_url) as session:
        assert session.get(Source, "s").last_status == "failed"  # type: ignore[union-attr]


def test_crash_before_any_run_is_still_recorded(runtime, database_url) -> None:  # type: ignore[no-untyped-def]
    runtime.mode = "crash-before"
    crawl_job.run_one(runtime, "s", attempt=1)
    [run] = runs(database_url)
    assert (run.status, run.trigger) == ("failed", "scheduled")
    assert "code 4: OSError: no space left on device" in run.error  # type: ignore[operator]
    assert runtime.scheduler.get_job("retry:s").kwargs == {"attempt": 2}
    # The last retry allowed (crawl_retry_max = 2) schedules no further one.
    runtime.scheduler.remove_job("retry:s")
    crawl_job.run_one(runtime, "s", attempt=2)
    assert runtime.scheduler.get_job("retry:s") is None
    assert [r.status for r in runs(database_url)] == ["failed", "failed"]


def test_timeout_fails_the_run(runtime, database_url: str) -> None:  # type: ignore[no-untyped-def]
    runtime.mode = "hang"
    runtime.settings = runtime.settings.model_copy(update={"crawl_timeout": 1.5})
    started = time.monotonic()
    crawl_job.run_one(runtime, "s")
    assert time.monotonic() - started < 10
    [run] = runs(database_url)
    assert (run.status, run.error) == ("failed", "timed out after 1.5 s")
    assert runtime.scheduler.get_job("retry:s") is not None


def test_overlap_with_a_running_run_is_refused(runtime, database_url: str) -> None:  # type: ignore[no-untyped-def]
    with db.session_scope(database_url) as session:
        start_run(session, "s", "manual")
    assert crawl_job.run_one(runtime, "s") == "skipped"
    assert len(runs(database_url)) == 1  # no child was started
    with db.session_scope(database_url) as session:  # a run left by a dead process long ago
        run = session.exec(select(CrawlRun)).one()
        run.started_at = datetime.now(UTC) - timedelta(days=1)
        session.add(run)
    assert crawl_job.run_one(runtime, "s") == "done"


def test_overlap_in_this_process_is_refused(runtime, database_url: str) -> None:  # type: ignore[no-untyped-def]
    runtime.mode = "hang"
    first = threading.Thread(target=crawl_job.run_one, args=(runtime, "s"))
    first.start()
    deadline = time.monotonic() + 10
    while not runtime.children.get("s") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert crawl_job.run_one(runtime, "s") == "skipped"
    assert crawl_job.stop_children(runtime, grace=0.2) == ["s"]
    first.join(15)
    [run] = runs(database_url)
    assert (run.status, run.error) == ("interrupted", "stopped at scheduler shutdown")
    assert runtime.scheduler.get_job("retry:s") is None  # shutdown is not a failure
    assert crawl_job.run_one(runtime, "s") == "skipped"  # stopping: nothing new starts


def test_shutdown_lets_a_short_crawl_finish(runtime, database_url: str) -> None:  # type: ignore[no-untyped-def]
    worker = threading.Thread(target=crawl_job.run_one, args=(runtime, "s"))
    worker.start()
    time.sleep(0.2)
    assert crawl_job.stop_children(runtime, grace=20) == []
    worker.join(5)
    assert [r.status for r in runs(database_url)] == ["ok"]
