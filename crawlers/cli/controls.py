"""``regwatch controls …``, ``regwatch obligations map|suggest`` and ``regwatch gaps``."""

from __future__ import annotations

from pathlib import Path

import typer

from crawlers.cli.common import DatabaseUrlOption, open_database
from crawlers.cli.output import FormatOption, OutputFormat, emit
from obligations import db

controls_app = typer.Typer(help="The control library.", no_args_is_help=True)
CONTROL_COLUMNS = ["id", "title", "owner", "topics", "status", "obligations"]
ActorOption = typer.Option(
    None, "--as", help="Act as this user (checked against their role); default: the local CLI."
)


def _actor(session, username: str | None):  # type: ignore[no-untyped-def]
    from obligations.services.users import get_user

    return get_user(session, username) if username else None


@controls_app.command("import")
def controls_import(
    file: Path = typer.Argument(..., help="A CSV, XLSX or OSCAL catalog JSON file."),
    acting_user: str | None = ActorOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Import a control library; all-or-nothing; an existing id is updated."""
    from obligations.services.controls import import_controls

    open_database(database_url)
    with db.session_scope() as session:
        summary = import_controls(session, file, _actor(session, acting_user))
    typer.echo(
        f"imported {summary.total} controls from {file}: {len(summary.created)} created, "
        f"{len(summary.updated)} updated, {len(summary.unchanged)} unchanged"
    )


@controls_app.command("list")
def controls_list(
    status: str | None = typer.Option(None, "--status", help="active, draft or retired"),
    topic: str | None = typer.Option(None, "--topic"),
    owner: str | None = typer.Option(None, "--owner"),
    output_format: OutputFormat = FormatOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """The control library, with how many obligations each control covers."""
    from obligations.services.controls import list_controls

    open_database(database_url)
    with db.session_scope() as session:
        rows = list_controls(session, status=status, topic=topic, owner=owner)
    emit(rows, output_format, CONTROL_COLUMNS)


@controls_app.command("export")
def controls_export(
    file: Path = typer.Argument(..., help="Where to write: FILE.csv or FILE.xlsx."),
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Write the control library to a CSV or XLSX file (re-importable)."""
    from obligations.services.controls import export_controls

    open_database(database_url)
    with db.session_scope() as session:
        count = export_controls(session, file)
    typer.echo(f"exported {count} controls to {file}")


def register(app: typer.Typer, obligations_app: typer.Typer) -> None:
    """Add the control, mapping and gap commands to the ``regwatch`` app."""
    app.add_typer(controls_app, name="controls")
