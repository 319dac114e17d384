"""``regwatch schedule run|sync|list``: the crawl scheduler."""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path

import typer

from crawlers.cli.common import DatabaseUrlOption, open_database
from crawlers.cli.output import FormatOption, OutputFormat, emit
from obligations import db
from obligations.settings import PROJECT_ROOT, get_settings

schedule_app = typer.Typer(help="Crawl each source on its cron schedule.", no_args_is_help=True)

SCHEDULE_COLUMNS = ["id", "kind", "schedule", "next_run_time", "attempt"]
DEFAULT_SOURCES = PROJECT_ROOT / "data" / "sources"
SourcesOption = typer.Option(
    None,
    "--sources",
    envvar="REGWATCH_SOURCES",
    help="Sources TOML file or folder (default: data/sources).",
)


def _sources(path: Path | None) -> Path:
    return path or get_settings().sources or DEFAULT_SOURCES


def _configure_logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


@schedule_app.command("run")
def schedule_run(
    sources: Path | None = SourcesOption,
    rewrite_to: str | None = typer.Option(
        None, "--rewrite-to", envvar="REGWATCH_REWRITE_TO", help="Crawl an offline archive."
    ),
    notify: bool = typer.Option(True, "--notify/--no-notify", help="Send digests as well."),
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Run the scheduler until SIGTERM or SIGINT (then shut down gracefully)."""
    from crawlers.scheduler import run_scheduler
    from crawlers.sources import load_sources

    path = _sources(sources)
    load_sources(path)  # a bad file fails here, before anything starts
    open_database(database_url)
    _configure_logging()
    settings = get_settings()
    stop = threading.Event()

    def request_stop(signum: int, _frame: object) -> None:
        logging.getLogger(__name__).info("received %s", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    tick = None
    if notify:
        from obligations.services.notifications import notification_tick

        url = db.database_url()
        busy = threading.Lock()

        def tick() -> None:
            if busy.acquire(blocking=False):  # one tick at a time: digests are not doubled
                try:
                    notification_tick(url, settings)
                finally:
                    busy.release()

    stopped = run_scheduler(
        path, db.database_url(), settings, stop, rewrite_to=rewrite_to,
        after_crawl=tick, on_tick=tick,
    )  # fmt: skip
    if stopped:
        typer.echo(f"stopped at shutdown: {', '.join(stopped)}", err=True)
    typer.echo("scheduler stopped", err=True)


@schedule_app.command("sync")
def schedule_sync(
    sources: Path | None = SourcesOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Make the stored jobs match the sources file (add, update, remove)."""
    from crawlers.scheduler import open_paused, register_sources, sync_jobs
    from crawlers.sources import load_sources

    configs = load_sources(_sources(sources))
    open_database(database_url)
    register_sources(db.database_url(), configs)
    scheduler = open_paused(db.database_url(), get_settings())
    try:
        plan = sync_jobs(scheduler, configs, misfire_grace_time=get_settings().misfire_grace_time)
    finally:
        scheduler.shutdown(wait=False)
    typer.echo(
        f"added {len(plan.add)}, updated {len(plan.update)}, removed {len(plan.remove)}", err=True
    )


@schedule_app.command("list")
def schedule_list(
    output_format: OutputFormat = FormatOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """The stored jobs with their next run times (UTC)."""
    from crawlers.scheduler import job_rows, open_paused

    open_database(database_url)
    scheduler = open_paused(db.database_url(), get_settings())
    try:
        rows = job_rows(scheduler)
    finally:
        scheduler.shutdown(wait=False)
    emit(rows, output_format, SCHEDULE_COLUMNS)
