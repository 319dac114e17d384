"""Shared fixtures: a fresh database per test on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from obligations import db

POSTGRES_URL = os.environ.get(
    "REGWATCH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = os.environ.get("REGWATCH_TEST_BACKENDS", "sqlite,postgresql").split(",")


def _postgres_schema_url(schema: str) -> str:
    separator = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """An empty, migrated database of each backend, isolated and dropped afterwards."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'regwatch.db'}"
        admin = None
        schema = None
    else:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = _postgres_schema_url(schema)
    db.upgrade_database(url)
    db.configure(url)
    try:
        yield url
    finally:
        db.configure(None)
        db.dispose_engines()
        if admin is not None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


@pytest.fixture
def session(database_url: str):  # type: ignore[no-untyped-def]
    """A session on the test database (committed by the test when it wants)."""
    with db.session_scope(database_url) as session:
        yield session
