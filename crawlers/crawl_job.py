"""One scheduled crawl: a ``regwatch crawl`` child process with a timeout.

The Twisted reactor cannot restart, so every crawl is its own process. The child opens
and closes its CrawlRun; this module settles what a crashed, timed-out or stopped child
left behind, schedules a capped retry with backoff, and lets shutdown wait for or stop
the children. APScheduler calls :func:`scheduled_crawl` by reference (the job store
keeps only ``module:function`` and the arguments), with :data:`RUNTIME` set by
``regwatch schedule run``.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from apscheduler.jobstores.base import JobLookupError

from crawlers import schedule_policy
from obligations import db
from obligations.services.crawl_runs import active_run, last_run_id, settle_child_runs
from obligations.settings import Settings
from obligations.timeutil import utcnow

logger = logging.getLogger(__name__)

STDERR_TAIL = 4000
RETRY_PREFIX = "retry:"


@dataclass
class Child:
    """A running crawl process and why it might be stopped."""

    process: subprocess.Popen[str]
    stop_reason: str | None = None


@dataclass
class CrawlRuntime:
    """Everything a crawl job needs that cannot go into the job store."""

    sources_path: Path
    database_url: str
    settings: Settings
    rewrite_to: str | None = None
    scheduler: Any = None  # an APScheduler scheduler, for retry jobs
    after_crawl: Any = None  # callable run after each crawl (notifications)
    children: dict[str, Child] = field(default_factory=dict)
    stopping: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def command(self, source_id: str) -> list[str]:
        """The child's command line (the database URL goes in the environment, not argv)."""
        command = [
            sys.executable, "-m", "crawlers", "crawl", "--sources", str(self.sources_path),
            "--source", source_id, "--trigger", "scheduled", "--format", "jsonl",
        ]  # fmt: skip
        if self.rewrite_to:
            command += ["--rewrite-to", self.rewrite_to]
        return command

    def environment(self) -> dict[str, str]:
        return {**os.environ, "REGWATCH_DATABASE_URL": self.database_url}

    def log_path(self, source_id: str) -> Path:
        folder = self.settings.home / "logs"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"crawl-{source_id}.log"

    @property
    def stale_after(self) -> timedelta:
        return timedelta(seconds=self.settings.crawl_timeout + self.settings.crawl_stop_wait + 60)


RUNTIME: CrawlRuntime | None = None


def scheduled_crawl(source_id: str, attempt: int = 0) -> str:
    """The APScheduler job: crawl one source now, unless that would overlap."""
    if RUNTIME is None:
        logger.error("crawl of %s skipped: no scheduler runtime in this process", source_id)
        return "skipped"
    return run_one(RUNTIME, source_id, attempt)


def _stop(child: Child, reason: str, wait: float) -> None:
    """SIGTERM the child's process group, then SIGKILL it if it lingers ``wait`` seconds."""
    child.stop_reason = child.stop_reason or reason
    process = child.process
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(wait if sig == signal.SIGTERM else 30)
            return
        except subprocess.TimeoutExpired:
            continue


def _tail(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            handle.seek(max(path.stat().st_size - STDERR_TAIL, 0))
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return ""


def _reported_statuses(stdout: str) -> list[str]:
    statuses = []
    for line in stdout.splitlines():
        try:
            statuses.append(str(json.loads(line).get("status")))
        except (ValueError, AttributeError):
            continue
    return statuses


def _claim(runtime: CrawlRuntime, source_id: str) -> schedule_policy.StartDecision:
    with db.session_scope(runtime.database_url) as session:
        running = active_run(session, source_id, utcnow(), runtime.stale_after)
    with runtime.lock:
        decision = schedule_policy.should_start(
            stopping=runtime.stopping.is_set(),
            running_here=source_id in runtime.children,
            running_run_started_at=running.started_at if running else None,
            now=utcnow(),
            stale_after=runtime.stale_after,
        )
        if decision.start:
            runtime.children[source_id] = None  # type: ignore[assignment]  # reserved
    return decision


def run_one(runtime: CrawlRuntime, source_id: str, attempt: int = 0) -> str:
    """Crawl ``source_id`` in a child process; settle its runs; maybe schedule a retry."""
    decision = _claim(runtime, source_id)
    if not decision.start:
        logger.warning("crawl of %s not started: %s", source_id, decision.reason)
        return "skipped"
    try:
        outcome = _run_child(runtime, source_id)
    finally:
        with runtime.lock:
            runtime.children.pop(source_id, None)
    if outcome.retry and not runtime.stopping.is_set():
        schedule_retry(runtime, source_id, attempt + 1)
    elif outcome.status is None and not outcome.retry:
        cancel_retry(runtime, source_id)
    if runtime.after_crawl is not None and not runtime.stopping.is_set():
        try:
            runtime.after_crawl()
        except Exception:
            logger.exception("after-crawl step failed")
    return outcome.status or "done"


def _run_child(runtime: CrawlRuntime, source_id: str) -> schedule_policy.ChildOutcome:
    if runtime.stopping.is_set():
        return schedule_policy.ChildOutcome(None)
    with db.session_scope(runtime.database_url) as session:
        watermark = last_run_id(session, source_id)
    log_path = runtime.log_path(source_id)
    timeout = runtime.settings.crawl_timeout
    logger.info("crawl of %s starting (log %s)", source_id, log_path)
    started = time.monotonic()
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            runtime.command(source_id),
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            env=runtime.environment(),
            start_new_session=True,  # a terminal's Ctrl-C reaches the scheduler only
        )
        child = Child(process)
        with runtime.lock:
            runtime.children[source_id] = child
        timed_out = False
        try:
            stdout, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            _stop(child, "timeout", runtime.settings.crawl_stop_wait)
            stdout, _ = process.communicate()
    outcome = schedule_policy.judge_child(
        returncode=process.returncode,
        timed_out=timed_out and child.stop_reason == "timeout",
        stopped_for_shutdown=child.stop_reason == "shutdown",
        timeout=timeout,
        stderr_tail=_tail(log_path),
        reported_statuses=_reported_statuses(stdout or ""),
    )
    if outcome.status is not None:
        with db.session_scope(runtime.database_url) as session:
            settle_child_runs(
                session,
                source_id,
                watermark,
                outcome.status,
                outcome.reason,
                override_finished=outcome.override_finished,
            )
    logger.info(
        "crawl of %s ended in %.1f s: exit %s%s",
        source_id,
        time.monotonic() - started,
        process.returncode,
        f", recorded {outcome.status}: {outcome.reason}" if outcome.status else "",
    )
    return outcome


def schedule_retry(runtime: CrawlRuntime, source_id: str, attempt: int) -> None:
    """A one-off retry job with backoff; at most one pending per source, capped in number."""
    settings = runtime.settings
    when = schedule_policy.retry_at(
        attempt,
        utcnow(),
        max_retries=settings.crawl_retry_max,
        base=settings.crawl_retry_base,
        cap=settings.crawl_retry_cap,
    )
    if when is None:
        logger.warning("crawl of %s failed; retries used up (%d)", source_id, attempt - 1)
        return
    if runtime.scheduler is None:
        return
    runtime.scheduler.add_job(
        "crawlers.crawl_job:scheduled_crawl",
        "date",
        run_date=when,
        id=f"{RETRY_PREFIX}{source_id}",
        name=f"retry {attempt}",
        args=[source_id],
        kwargs={"attempt": attempt},
        replace_existing=True,
        jobstore="default",
    )
    logger.info("crawl of %s will be retried (attempt %d) at %s", source_id, attempt, when)


def cancel_retry(runtime: CrawlRuntime, source_id: str) -> None:
    """A crawl that went well makes a pending retry of the same source pointless."""
    if runtime.scheduler is not None:
        try:
            runtime.scheduler.remove_job(f"{RETRY_PREFIX}{source_id}", jobstore="default")
        except JobLookupError:
            return
        logger.info("pending retry of %s cancelled: the crawl succeeded", source_id)


def stop_children(runtime: CrawlRuntime, grace: float) -> list[str]:
    """Let running crawls finish for ``grace`` seconds, then stop the rest; their ids."""
    runtime.stopping.set()
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        with runtime.lock:
            if not runtime.children:
                return []
        time.sleep(0.1)
    with runtime.lock:
        remaining = {k: v for k, v in runtime.children.items() if v is not None}
    for source_id, child in remaining.items():
        logger.warning("stopping the crawl of %s (shutdown grace period over)", source_id)
        _stop(child, "shutdown", runtime.settings.crawl_stop_wait)
    return sorted(remaining)
