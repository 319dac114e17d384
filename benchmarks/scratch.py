"""A throwaway PostgreSQL schema for a benchmark run, so runs never share data."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text

from obligations import db

POSTGRES_URL = os.environ.get(
    "REGWATCH_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


class PostgresUnavailableError(Exception):
    """The benchmark's PostgreSQL server could not be reached (the message says how)."""


@contextmanager
def scratch_postgres_schema() -> Iterator[str]:
    """A database URL whose search path is a new, empty schema; engines are disposed and
    the schema dropped afterwards. PostgresUnavailableError if the server cannot be reached."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        admin.dispose()
        raise PostgresUnavailableError(type(exc).__name__) from exc
    separator = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        db.dispose_engines()
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
