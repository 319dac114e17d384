"""The ``regwatch`` command line: a thin Typer app over the service functions."""

from __future__ import annotations

import sys

import typer

from crawlers.cli import commands
from obligations.errors import RegwatchError


def main() -> None:
    """Entry point: run the app; a user error becomes one line on stderr and an exit code."""
    try:
        commands.app(standalone_mode=True)
    except RegwatchError as exc:
        typer.echo(f"regwatch: error: {exc}", err=True)
        sys.exit(exc.exit_code)
