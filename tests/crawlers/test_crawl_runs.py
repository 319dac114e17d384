"""Settling the runs a crawl child left behind, on both database backends."""

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from obligations.models import CrawlRun, Source
from obligations.services.crawl_runs import active_run, last_run_id, settle_child_runs
from obligations.services.sources import finish_run, start_run


def _source(session: Session) -> None:
    session.add(Source(id="s", name="S", authority="A", authority_kind="regulator",
                       jurisdiction="US", language="en", kind="page", url="http://x"))  # fmt: skip
    session.flush()


def test_settle_closes_running_and_records_missing_runs(session: Session) -> None:
    _source(session)
    old = start_run(session, "s", "manual")
    finish_run(session, old.id, "ok", None, {})  # type: ignore[arg-type]
    watermark = last_run_id(session, "s")
    assert watermark == old.id
    assert settle_child_runs(session, "s", watermark, "failed", "exited with code 1")
    [recorded] = [r for r in session.exec(select(CrawlRun)).all() if r.id != old.id]
    assert (recorded.status, recorded.error, recorded.trigger) == (
        "failed", "exited with code 1", "scheduled",
    )  # fmt: skip
    assert session.get(CrawlRun, old.id).status == "ok"  # type: ignore[union-attr]

    child = start_run(session, "s", "scheduled")
    watermark = child.id - 1  # type: ignore[operator]
    assert settle_child_runs(session, "s", watermark, "failed", "timed out") == [child.id]
    assert child.status == "failed" and child.duration_seconds is not None
    assert session.get(Source, "s").last_status == "failed"  # type: ignore[union-attr]


def test_override_marks_a_cut_short_ok_run(session: Session) -> None:
    _source(session)
    run = start_run(session, "s", "scheduled")
    finish_run(session, run.id, "ok", None, {})  # type: ignore[arg-type]
    assert settle_child_runs(session, "s", 0, "failed", "timed out after 5 s") == []
    assert run.status == "ok"
    settle_child_runs(session, "s", 0, "interrupted", "stopped", override_finished=True)
    assert (run.status, run.error) == ("interrupted", "stopped (the crawl had recorded ok)")
    settle_child_runs(session, "s", 0, "failed", "timed out", override_finished=True)
    assert (
        run.error
        == "timed out (the crawl had recorded interrupted: stopped (the crawl had recorded ok))"
    )


def test_active_run_ignores_stale_runs(session: Session) -> None:
    _source(session)
    run = start_run(session, "s", "manual")
    now = datetime.now(UTC)
    assert active_run(session, "s", now, timedelta(hours=1)) is run
    assert active_run(session, "s", now + timedelta(hours=2), timedelta(hours=1)) is None
