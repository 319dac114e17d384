"""The scheduler's decisions as pure functions of their inputs and ``now``.

Kept apart from APScheduler and the database so each rule (overlap, misfire,
retry backoff, what a child's exit means, how jobs follow the sources file) is
tested with an injected clock instead of by waiting.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from apscheduler.triggers.base import BaseTrigger

from crawlers.sources import SourceConfig


@dataclass(frozen=True)
class StartDecision:
    """Whether to start a crawl now, and why not."""

    start: bool
    reason: str = ""


def should_start(
    *,
    stopping: bool,
    running_here: bool,
    running_run_started_at: datetime | None,
    now: datetime,
    stale_after: timedelta,
) -> StartDecision:
    """Refuse a crawl while shutting down or while the source is already being crawled.

    ``running_here``: this scheduler has a child crawling the source. A ``running``
    CrawlRun in the database (another process) blocks too, unless it is older than
    ``stale_after`` (its process died without closing it).
    """
    if stopping:
        return StartDecision(False, "the scheduler is shutting down")
    if running_here:
        return StartDecision(False, "a crawl of this source is still running here")
    if running_run_started_at is not None and now - running_run_started_at < stale_after:
        since = running_run_started_at.isoformat(timespec="seconds")
        return StartDecision(False, f"a crawl of this source has been running since {since}")
    return StartDecision(True)


def runs_to_execute(
    trigger: BaseTrigger,
    next_run_time: datetime,
    now: datetime,
    misfire_grace_time: float | None,
    coalesce: bool,
) -> list[datetime]:
    """The scheduled times that run at ``now``, as APScheduler 3 decides them.

    Every fire time from ``next_run_time`` up to ``now`` is due; with ``coalesce``
    only the newest is kept; a time later than the grace period is missed.
    """
    due: list[datetime] = []
    moment: datetime | None = next_run_time
    while moment is not None and moment <= now:
        due.append(moment)
        moment = trigger.get_next_fire_time(moment, now)
    if coalesce and due:
        due = due[-1:]
    if misfire_grace_time is None:
        return due
    return [t for t in due if (now - t).total_seconds() <= misfire_grace_time]


def retry_delay(attempt: int, base: float, cap: float) -> float:
    """Seconds before retry number ``attempt`` (1, 2, …): ``base`` doubling, at most ``cap``."""
    return float(min(cap, base * 2 ** max(attempt - 1, 0)))


def retry_at(
    attempt: int, now: datetime, *, max_retries: int, base: float, cap: float
) -> datetime | None:
    """When retry number ``attempt`` runs, or None once ``max_retries`` are used up."""
    if attempt > max_retries:
        return None
    return now + timedelta(seconds=retry_delay(attempt, base, cap))


@dataclass(frozen=True)
class ChildOutcome:
    """What a crawl child's end means for its runs: the status to record and why."""

    status: str | None  # None: the child recorded its own runs; leave them
    reason: str = ""
    override_finished: bool = False
    retry: bool = False


def judge_child(
    *,
    returncode: int | None,
    timed_out: bool,
    stopped_for_shutdown: bool,
    timeout: float,
    stderr_tail: str = "",
    reported_statuses: Iterable[str] = (),
) -> ChildOutcome:
    """Turn a child's exit into the status of its runs."""
    last_line = next((line for line in reversed(stderr_tail.splitlines()) if line.strip()), "")
    if stopped_for_shutdown:
        return ChildOutcome("interrupted", "stopped at scheduler shutdown", override_finished=True)
    if timed_out:
        return ChildOutcome(
            "failed", f"timed out after {timeout:g} s", override_finished=True, retry=True
        )
    if returncode != 0:
        reason = f"crawl process exited with code {returncode}"
        return ChildOutcome("failed", f"{reason}: {last_line}" if last_line else reason, retry=True)
    return ChildOutcome(None, retry="failed" in set(reported_statuses))


@dataclass
class JobPlan:
    """How the job store must change to match the sources file."""

    add: dict[str, str] = field(default_factory=dict)
    update: dict[str, str] = field(default_factory=dict)
    remove: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.add or self.update or self.remove)


def desired_schedules(configs: Iterable[SourceConfig]) -> dict[str, str]:
    """Source id → cron expression, for every enabled source that has a schedule."""
    return {c.id: c.schedule for c in configs if c.enabled and c.schedule}


def plan_sync(desired: dict[str, str], existing: dict[str, str]) -> JobPlan:
    """Add new schedules, update changed ones, remove jobs of disabled or deleted sources."""
    plan = JobPlan()
    for source_id, expression in sorted(desired.items()):
        if source_id not in existing:
            plan.add[source_id] = expression
        elif " ".join(existing[source_id].split()) != " ".join(expression.split()):
            plan.update[source_id] = expression
    plan.remove = sorted(set(existing) - set(desired))
    return plan


def fingerprint(path: Path) -> str:
    """A hash of a sources file (or a folder's ``*.toml``): names and contents."""
    digest = hashlib.sha256()
    files = sorted(path.glob("*.toml")) if path.is_dir() else [path]
    for file in files:
        digest.update(file.name.encode() + b"\0")
        try:
            digest.update(file.read_bytes())
        except OSError:
            digest.update(b"<missing>")
        digest.update(b"\0")
    return digest.hexdigest()
