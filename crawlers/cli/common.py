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


LocalActorOption = typer.Option(
    None,
    "--as",
    envvar="REGWATCH_USER",
    help="Act as this user (checked against their role); default: the local CLI.",
)


def optional_actor(session, username: str | None):  # type: ignore[no-untyped-def]
    """The named user, or None for the local command line (recorded as ``cli``)."""
    from obligations.services.users import get_user

    return get_user(session, username) if username else None
