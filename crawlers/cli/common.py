"""Options and helpers shared by the commands."""

from __future__ import annotations

import typer

from obligations import db

DatabaseUrlOption = typer.Option(
    None,
    "--database-url",
    envvar="REGWATCH_DATABASE_URL",
    help="SQLAlchemy URL (default: SQLite under REGWATCH_HOME).",
    show_envvar=True,
)


def open_database(database_url: str | None, *, require_schema: bool = True) -> None:
    """Point the process at the database and check it is reachable and initialised."""
    db.configure(database_url)
    engine = db.get_engine()
    if require_schema:
        db.require_schema(engine)
    else:
        db.check_connection(engine)
