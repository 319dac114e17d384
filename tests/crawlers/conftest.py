"""Fixtures for crawler tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from obligations import db


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    """A migrated SQLite database, for crawl tests whose storage is not backend-specific."""
    url = f"sqlite:///{tmp_path / 'regwatch.db'}"
    db.upgrade_database(url)
    try:
        yield url
    finally:
        db.dispose_engines()
