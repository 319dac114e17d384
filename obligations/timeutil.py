"""Time helpers: every stored datetime is timezone-aware UTC (SQLModel enforces it)."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, in UTC."""
    return datetime.now(UTC)
