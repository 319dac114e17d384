"""Command definitions: parse arguments, call a service function, format the result."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import typer

from crawlers.cli.common import DatabaseUrlOption, open_database
from crawlers.cli.controls import register as register_control_commands
from crawlers.cli.demo import demo
from crawlers.cli.nlp import nlp_app
from crawlers.cli.notify import notify, subscriptions_app
from crawlers.cli.output import FormatOption, OutputFormat, emit
from crawlers.cli.schedule import schedule_app
from crawlers.cli.workflow import register as register_workflow
from obligations import db

app = typer.Typer(
    name="regwatch",
    help="Regulatory change tracking and obligations register.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
documents_app = typer.Typer(help="Crawled documents and their versions.", no_args_is_help=True)
obligations_app = typer.Typer(help="The obligations register.", no_args_is_help=True)
app.add_typer(documents_app, name="documents")
app.add_typer(obligations_app, name="obligations")
app.add_typer(nlp_app, name="nlp")
app.add_typer(schedule_app, name="schedule")
app.add_typer(subscriptions_app, name="subscriptions")
app.command("notify")(notify)
app.command()(demo)
register_workflow(app, obligations_app)
register_control_commands(app, obligations_app)

DOCUMENT_COLUMNS = [
    "id", "source_id", "url", "title", "published_at", "language", "versions", "text_sha256",
]  # fmt: skip
OBLIGATION_COLUMNS = [
    "id", "document_id", "source_id", "text", "modality", "topics", "status", "owner",
    "controls", "retention_period_days",
]  # fmt: skip
DEFAULT_SOURCES = Path(__file__).resolve().parents[2] / "data" / "sources"


@app.command()
def init(database_url: str | None = DatabaseUrlOption) -> None:
    """Create or upgrade the database schema (safe to run again)."""
    db.configure(database_url)
    revision = db.upgrade_database()
    typer.echo(f"database ready at revision {revision}", err=True)


@app.command()
def crawl(
    sources: Path = typer.Option(DEFAULT_SOURCES, "--sources", help="Sources TOML file or folder."),
    source: list[str] = typer.Option([], "--source", help="Only this source id (repeatable)."),
    rewrite_to: str | None = typer.Option(
        None,
        "--rewrite-to",
        envvar="REGWATCH_REWRITE_TO",
        help="Send every request to this base URL (an offline archive), keeping real URLs.",
    ),
    trigger: str = typer.Option("manual", "--trigger", hidden=True),
    redis_url: str | None = typer.Option(
        None,
        "--redis-url",
        envvar="REGWATCH_REDIS_URL",
        help="Redis for distributed crawling (needs --job).",
    ),
    job: str | None = typer.Option(
        None,
        "--job",
        help="Join the distributed crawl named JOB: workers with the same job share one queue.",
    ),
    output_format: OutputFormat = FormatOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Crawl sources now; prints a summary per source (exit 0 even if some failed)."""
    from crawlers.sources import load_sources

    configs = load_sources(sources, only=source or None)  # a bad file stops here, quickly
    open_database(database_url)
    from crawlers.runner import run_crawl

    outcomes = run_crawl(
        configs, trigger=trigger, rewrite_to=rewrite_to, job=job, redis_url=redis_url
    )
    rows = [
        {
            "source_id": o.source_id,
            "run_id": o.run_id,
            "status": o.status,
            **o.stats,
            "obligations_added": o.obligations_added,
            "obligations_amended": o.obligations_amended,
            "obligations_removed": o.obligations_removed,
            "error": o.error,
        }
        for o in outcomes
    ]
    columns = [
        "source_id", "status", "requests", "not_modified", "new_documents", "new_versions",
        "unchanged", "errors", "obligations_added", "obligations_amended",
        "obligations_removed", "run_id", "error",
    ]  # fmt: skip
    emit(rows, output_format, columns)


@documents_app.command("list")
def documents_list(
    source: list[str] = typer.Option([], "--source", help="Only this source id (repeatable)."),
    limit: int | None = typer.Option(None, "--limit", min=1),
    output_format: OutputFormat = FormatOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """One row per document, with its version count and latest text hash."""
    from obligations.services.documents import list_documents

    open_database(database_url)
    with db.session_scope() as session:
        rows = list_documents(session, source or None, limit)
    emit(rows, output_format, DOCUMENT_COLUMNS)


@documents_app.command("diff")
def documents_diff(
    document_id: int = typer.Argument(..., metavar="ID"),
    from_version: int | None = typer.Option(
        None, "--from", help="Version number (default: previous)."
    ),
    to_version: int | None = typer.Option(None, "--to", help="Version number (default: latest)."),
    words: bool = typer.Option(False, "--words", help="Word-level redline instead of lines."),
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Text diff between two versions of a document."""
    from obligations.errors import NotFoundError
    from obligations.text.diff import line_diff, render_word_diff, word_diff

    open_database(database_url)
    from obligations.services.documents import get_versions

    with db.session_scope() as session:
        versions = {v.version_number: v for v in get_versions(session, document_id)}
    latest = max(versions)
    to_number = to_version or latest
    from_number = from_version or max(to_number - 1, 1)
    for number in (from_number, to_number):
        if number not in versions:
            raise NotFoundError(
                f"document {document_id} has no version {number} (versions 1..{latest})"
            )
    old, new = versions[from_number].text, versions[to_number].text
    if words:
        typer.echo(render_word_diff(word_diff(old, new)))
    else:
        typer.echo(line_diff(old, new, f"version {from_number}", f"version {to_number}"))


@app.command()
def extract(
    file: Path = typer.Argument(..., help="A text, HTML or PDF file."),
    lang: str = typer.Option("auto", "--lang", help="auto, en or zh"),
    output_format: OutputFormat = FormatOption,
) -> None:
    """Find the normative statements in a file."""
    from crawlers.cli.files import read_document_text
    from obligations.errors import ConfigError
    from obligations.nlp.extract import extract_statements
    from obligations.nlp.pipeline import load_default_classifier

    if lang not in ("auto", "en", "zh"):
        raise ConfigError(f"--lang must be auto, en or zh, not {lang!r}")
    text = read_document_text(file)
    load_default_classifier()
    statements = [s.as_json() for s in extract_statements(text, lang)]
    if output_format == OutputFormat.jsonl:
        for statement in statements:
            sys.stdout.write(json.dumps(statement, ensure_ascii=False) + "\n")
        return
    rows = [
        {**s, "retention_period_days": s["entities"]["retention_period_days"]} for s in statements
    ]
    emit(rows, output_format, ["start", "end", "modality", "topics", "confidence",
                               "retention_period_days", "text"])  # fmt: skip


@obligations_app.command("list")
def obligations_list(
    status: list[str] = typer.Option([], "--status", help="Only these statuses (repeatable)."),
    topic: str | None = typer.Option(None, "--topic"),
    source: str | None = typer.Option(None, "--source"),
    owner: str | None = typer.Option(None, "--owner"),
    search: str | None = typer.Option(None, "--search", help="Text contains."),
    include_superseded: bool = typer.Option(False, "--include-superseded"),
    limit: int = typer.Option(1000, "--limit", min=1),
    output_format: OutputFormat = FormatOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """The obligations register."""
    from obligations.services.register import RegisterFilter, list_register

    open_database(database_url)
    filters = RegisterFilter(
        status=status or None,
        topic=topic,
        source_id=source,
        owner=owner,
        search=search,
        include_superseded=include_superseded,
    )
    with db.session_scope() as session:
        rows = list_register(session, filters, limit=limit)
    emit(rows, output_format, OBLIGATION_COLUMNS)


@app.command()
def dashboard(
    port: int = typer.Option(8501, "--port"),
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Start the Streamlit dashboard."""
    import os

    open_database(database_url)
    app_file = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
    env = {**os.environ, "REGWATCH_DATABASE_URL": db.database_url()}
    command = [
        sys.executable, "-m", "streamlit", "run", str(app_file), "--server.port", str(port),
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    raise typer.Exit(subprocess.call(command, env=env))
