"""Engines, sessions and schema migrations: the one way to reach the database."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlmodel import Session, create_engine

import obligations.models  # noqa: F401  (registers every table on SQLModel.metadata)
from obligations.errors import ConfigError, DatabaseError
from obligations.settings import get_settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000

_engines: dict[str, Engine] = {}
_configured_url: str | None = None


def configure(database_url: str | None) -> None:
    """Use this URL for the rest of the process (the CLI's ``--database-url``)."""
    global _configured_url
    _configured_url = database_url


def database_url() -> str:
    """The URL in force: ``--database-url``, then ``REGWATCH_DATABASE_URL``, then SQLite."""
    return _configured_url or get_settings().resolved_database_url


def _set_sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _set_postgres_utc(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    """Naive timestamp columns hold UTC: make the session's time zone UTC too."""
    cursor = dbapi_connection.cursor()
    cursor.execute("SET TIME ZONE 'UTC'")
    cursor.close()
    dbapi_connection.commit()


def make_engine(url: str) -> Engine:
    """Create an engine, turning a malformed URL into a one-line ConfigError."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        message = str(exc).replace(url, mask_url(url))
        raise ConfigError(f"invalid database URL {mask_url(url)!r}: {message}") from None
    try:
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(
                parsed,
                connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            )
            event.listen(engine, "connect", _set_sqlite_pragmas)
        else:
            engine = create_engine(parsed, pool_pre_ping=True)
            if parsed.get_backend_name() == "postgresql":
                event.listen(engine, "connect", _set_postgres_utc)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise ConfigError(f"unsupported database URL {parsed!r}: {exc}") from None
    return engine


def get_engine(url: str | None = None) -> Engine:
    """The cached engine for ``url`` (default: the URL in force)."""
    url = url or database_url()
    if url not in _engines:
        _engines[url] = make_engine(url)
    return _engines[url]


def dispose_engines() -> None:
    """Close every pooled connection (tests and forked processes)."""
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()


_USERINFO = re.compile(r"^(?P<head>(?:[^:/@]*://)?[^:/@]*):.*@")  # up to the last @


def mask_url(url: str) -> str:
    """The URL with any password replaced by ``***``, even when it does not parse."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return _USERINFO.sub(r"\g<head>:***@", url)


def _describe(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def check_connection(engine: Engine) -> None:
    """Connect once, raising a one-line DatabaseError if the database is unreachable."""
    try:
        with engine.connect():
            pass
    except (OperationalError, SADatabaseError) as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0]
        raise DatabaseError(f"cannot connect to {_describe(engine)}: {reason}") from None


def require_schema(engine: Engine) -> None:
    """Fail clearly when ``regwatch init`` has not been run on this database."""
    check_connection(engine)
    if not inspect(engine).has_table("alembic_version"):
        raise DatabaseError(
            f"database {_describe(engine)} has no regwatch schema; run `regwatch init` first"
        )


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session committed on success and rolled back on any error."""
    session = Session(get_engine(url), expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str):  # type: ignore[no-untyped-def]
    """An Alembic config pointing at the packaged migrations and ``url``."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_database(url: str | None = None) -> str:
    """Create or upgrade the schema to the newest revision; return that revision."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    url = url or database_url()
    engine = get_engine(url)
    check_connection(engine)
    config = alembic_config(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() or ""
