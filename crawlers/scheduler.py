"""``regwatch schedule``: APScheduler with its job store in the project's database.

One persistent job per enabled source with a cron ``schedule`` (id ``crawl:<source>``,
name = the cron expression), plus one-off ``retry:<source>`` jobs. Jobs run with
``max_instances=1``, ``coalesce=True`` and a misfire grace time, so a scheduler that
was stopped runs each overdue source once on restart (within the grace time) and then
keeps the cron rhythm. Housekeeping jobs (watch the sources file, send notifications)
live in a memory job store: they belong to a running process, not to the database.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED

from crawlers import crawl_job, schedule_policy
from crawlers.sources import SourceConfig, load_sources
from obligations import db
from obligations.cron import cron_trigger
from obligations.errors import RegwatchError
from obligations.services.sources import upsert_sources
from obligations.settings import Settings
from obligations.timeutil import utcnow

logger = logging.getLogger(__name__)

JOBS_TABLE = "apscheduler_jobs"
CRAWL_PREFIX = "crawl:"
CRAWL_FUNC = "crawlers.crawl_job:scheduled_crawl"


class RegwatchScheduler(BackgroundScheduler):
    """A BackgroundScheduler that never runs jobs once stopped, or at all as an editor.

    APScheduler 3 processes jobs when a paused scheduler is shut down (its loop wakes up
    in the stopped, not paused, state): it would submit to a closed executor and move
    next run times on. ``run_jobs = False`` makes a scheduler that only edits the store
    (``schedule sync`` and ``schedule list``).
    """

    run_jobs = True

    def _process_jobs(self):  # type: ignore[no-untyped-def]
        if not self.run_jobs or self.state == STATE_STOPPED:
            return None
        return super()._process_jobs()


def make_scheduler(
    database_url: str, settings: Settings, *, editor: bool = False
) -> BackgroundScheduler:
    """A scheduler (not started) whose persistent jobs live in the project's database."""
    scheduler = RegwatchScheduler(
        jobstores={
            "default": SQLAlchemyJobStore(engine=db.get_engine(database_url), tablename=JOBS_TABLE),
            "memory": MemoryJobStore(),
        },
        executors={
            "default": ThreadPoolExecutor(settings.scheduler_workers),
            # Watching the sources file and sending notifications never wait behind crawls.
            "housekeeping": ThreadPoolExecutor(2),
        },
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": settings.misfire_grace_time,
        },
        timezone=UTC,
    )
    scheduler.run_jobs = not editor
    return scheduler


def crawl_jobs(scheduler: BackgroundScheduler) -> dict[str, Any]:
    """Source id → its cron job in the persistent store."""
    return {
        job.id.removeprefix(CRAWL_PREFIX): job
        for job in scheduler.get_jobs(jobstore="default")
        if job.id.startswith(CRAWL_PREFIX)
    }


def sync_jobs(
    scheduler: BackgroundScheduler,
    configs: list[SourceConfig],
    func: str | Callable[..., Any] = CRAWL_FUNC,
    misfire_grace_time: int | None = None,
) -> schedule_policy.JobPlan:
    """Make the persistent jobs match the sources; unchanged jobs keep their next run time.

    Jobs keep the misfire grace time they were stored with, so a changed setting
    (``misfire_grace_time``) is written to every kept job as well.
    """
    existing = crawl_jobs(scheduler)
    plan = schedule_policy.plan_sync(
        schedule_policy.desired_schedules(configs),
        {source_id: job.name for source_id, job in existing.items()},
    )
    for source_id, expression in plan.add.items():
        scheduler.add_job(
            func,
            cron_trigger(expression),
            id=f"{CRAWL_PREFIX}{source_id}",
            name=expression,
            args=[source_id],
            jobstore="default",
            replace_existing=True,
        )
    for source_id, expression in plan.update.items():
        scheduler.modify_job(f"{CRAWL_PREFIX}{source_id}", jobstore="default", name=expression)
        scheduler.reschedule_job(
            f"{CRAWL_PREFIX}{source_id}", jobstore="default", trigger=cron_trigger(expression)
        )
    if misfire_grace_time is not None:
        for source_id, job in existing.items():
            if source_id not in plan.remove and job.misfire_grace_time != misfire_grace_time:
                scheduler.modify_job(
                    job.id, jobstore="default", misfire_grace_time=misfire_grace_time
                )
    retries = {job.id for job in scheduler.get_jobs(jobstore="default")}
    for source_id in plan.remove:
        scheduler.remove_job(f"{CRAWL_PREFIX}{source_id}", jobstore="default")
        if f"{crawl_job.RETRY_PREFIX}{source_id}" in retries:
            scheduler.remove_job(f"{crawl_job.RETRY_PREFIX}{source_id}", jobstore="default")
    for verb, ids in (("added", plan.add), ("updated", plan.update), ("removed", plan.remove)):
        for source_id in ids:
            logger.info("schedule %s: %s", verb, source_id)
    return plan


def register_sources(database_url: str, configs: list[SourceConfig]) -> None:
    """Keep Source rows current so a failed child's run can always be recorded."""
    with db.session_scope(database_url) as session:
        upsert_sources(session, [c.definition() for c in configs])


def job_rows(scheduler: BackgroundScheduler) -> list[dict[str, Any]]:
    """One row per persistent job: source, kind, schedule, next run time."""
    rows = []
    for job in scheduler.get_jobs(jobstore="default"):
        kind, _, source_id = job.id.partition(":")
        next_run = job.next_run_time
        rows.append(
            {
                "id": source_id,
                "job": job.id,
                "kind": kind,
                "schedule": job.name if kind == "crawl" else None,
                "attempt": job.kwargs.get("attempt") if kind == "retry" else None,
                "next_run_time": next_run.astimezone(UTC).isoformat() if next_run else None,
            }
        )
    return sorted(rows, key=lambda r: (r["next_run_time"] or "~", r["job"]))


@dataclass
class SourcesWatcher:
    """Re-syncs the jobs when the sources file's content changes."""

    path: Path
    scheduler: BackgroundScheduler
    database_url: str
    last_fingerprint: str = ""
    misfire_grace_time: int | None = None

    def check(self) -> schedule_policy.JobPlan | None:
        current = schedule_policy.fingerprint(self.path)
        if current == self.last_fingerprint:
            return None
        try:
            configs = load_sources(self.path)
        except RegwatchError as exc:
            logger.error("sources file changed but is invalid; jobs left as they were: %s", exc)
            self.last_fingerprint = current
            return None
        register_sources(self.database_url, configs)
        plan = sync_jobs(self.scheduler, configs, misfire_grace_time=self.misfire_grace_time)
        self.last_fingerprint = current
        return plan


def report_missed(scheduler: BackgroundScheduler, now: datetime | None = None) -> list[str]:
    """Say, for each overdue job at start, whether it will run once or wait for its next time."""
    now = now or utcnow()
    lines = []
    for job in scheduler.get_jobs(jobstore="default"):
        if job.next_run_time is None or job.next_run_time > now:
            continue
        runs = schedule_policy.runs_to_execute(
            job.trigger, job.next_run_time, now, job.misfire_grace_time, job.coalesce
        )
        if runs:
            lines.append(f"{job.id}: overdue since {job.next_run_time:%Y-%m-%d %H:%M:%S}; runs now")
        else:
            lines.append(f"{job.id}: missed beyond the grace time; waits for its next time")
    for line in lines:
        logger.info(line)
    return lines


def open_paused(database_url: str, settings: Settings) -> BackgroundScheduler:
    """A scheduler that reads and writes the job store but runs nothing."""
    scheduler = make_scheduler(database_url, settings, editor=True)
    scheduler.start(paused=True)
    return scheduler


def run_scheduler(
    sources_path: Path,
    database_url: str,
    settings: Settings,
    stop: threading.Event,
    *,
    rewrite_to: str | None = None,
    after_crawl: Callable[[], Any] | None = None,
    on_tick: Callable[[], Any] | None = None,
) -> list[str]:
    """Run until ``stop`` is set; then shut down gracefully. Returns the crawls stopped."""
    configs = load_sources(sources_path)
    register_sources(database_url, configs)
    runtime = crawl_job.CrawlRuntime(
        sources_path=sources_path,
        database_url=database_url,
        settings=settings,
        rewrite_to=rewrite_to,
        after_crawl=after_crawl,
    )
    scheduler = make_scheduler(database_url, settings)
    scheduler.start(paused=True)
    runtime.scheduler = scheduler
    crawl_job.RUNTIME = runtime
    try:
        sync_jobs(scheduler, configs, misfire_grace_time=settings.misfire_grace_time)
        report_missed(scheduler)
        watcher = SourcesWatcher(
            sources_path,
            scheduler,
            database_url,
            schedule_policy.fingerprint(sources_path),
            settings.misfire_grace_time,
        )
        scheduler.add_job(
            watcher.check, "interval", seconds=settings.watch_interval, id="watch-sources",
            jobstore="memory", executor="housekeeping", misfire_grace_time=None,
        )  # fmt: skip
        if on_tick is not None:
            scheduler.add_job(
                on_tick, "interval", seconds=settings.notify_interval, id="notify",
                jobstore="memory", executor="housekeeping", next_run_time=utcnow(),
                misfire_grace_time=None,
            )  # fmt: skip
        scheduler.resume()
        logger.info("scheduler running with %d crawl jobs", len(crawl_jobs(scheduler)))
        stop.wait()
        logger.info("shutting down: no new crawls; waiting up to %gs", settings.shutdown_grace)
        scheduler.pause()
        stopped = crawl_job.stop_children(runtime, settings.shutdown_grace)
        scheduler.shutdown(wait=True)
        return stopped
    finally:
        crawl_job.RUNTIME = None
        if scheduler.running:
            scheduler.shutdown(wait=False)
