"""``regwatch demo``: the offline demo, end to end, on the bundled archive."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import typer

from crawlers.cli.common import DatabaseUrlOption
from crawlers.demo.server import start_server
from obligations import db

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEMO_SOURCES = PROJECT_ROOT / "data" / "sources"
SAMPLE_CONTROLS = PROJECT_ROOT / "data" / "controls" / "sample-controls.csv"


DEMO_PASSWORD = "regwatch-demo"
DEMO_USERS = {"admin": "admin", "analyst": "analyst", "owner": "owner", "auditor": "auditor"}


def _demo_users() -> None:
    """One user per role to sign in to the demo dashboard, when the database has none."""
    from obligations.services.users import add_user, list_users

    with db.session_scope() as session:
        if list_users(session):
            return
        for username, role in DEMO_USERS.items():
            add_user(session, username, role, DEMO_PASSWORD)
    typer.echo(
        f"demo users {', '.join(DEMO_USERS)} (one per role), password {DEMO_PASSWORD!r}",
        err=True,
    )


# The demo analyst accepts the best suggestion for most obligations, partly for some,
# and leaves the rest as gaps, so every dashboard view has something to show.
DEMO_FULL_SHARE = 0.6
DEMO_PARTIAL_SHARE = 0.15


def _demo_mapping() -> None:
    """Map obligations to their top suggested control, as the demo analyst, once."""
    from sqlmodel import select

    from obligations.models import Obligation, ObligationControl
    from obligations.services.mapping import map_control, suggest_controls
    from obligations.services.users import get_user

    with db.session_scope() as session:
        if session.exec(select(ObligationControl).limit(1)).first() is not None:
            return
        analyst = get_user(session, "analyst") if "analyst" in DEMO_USERS else None
        in_force = session.exec(
            select(Obligation.id).where(Obligation.superseded_by_version_id.is_(None))  # type: ignore[union-attr]
        ).all()
        best = []
        for obligation_id in in_force:
            suggestions = suggest_controls(session, obligation_id, limit=1)
            if suggestions:
                best.append((suggestions[0].score, obligation_id, suggestions[0].control.id))
        best.sort(reverse=True)
        full = int(len(best) * DEMO_FULL_SHARE)
        partial = int(len(best) * (DEMO_FULL_SHARE + DEMO_PARTIAL_SHARE))
        for rank, (_, obligation_id, control_id) in enumerate(best[:partial]):
            coverage = "full" if rank < full else "partial"
            map_control(session, analyst, obligation_id, control_id, coverage)
    typer.echo(
        f"demo mapping: {full} obligations fully covered, {partial - full} partly, "
        f"{len(best) - partial} left as gaps (see `regwatch gaps`)",
        err=True,
    )


def _regwatch(args: list[str], env: dict[str, str]) -> int:
    typer.echo(f"$ regwatch {' '.join(args)}", err=True)
    return subprocess.call([sys.executable, "-m", "crawlers", *args], env=env)


def demo(
    rounds: int = typer.Option(
        2, "--rounds", min=1, max=2, help="Crawl rounds (2 shows a change)."
    ),
    dashboard: bool = typer.Option(True, "--dashboard/--no-dashboard", help="Open the dashboard."),
    port: int = typer.Option(8501, "--port", help="Dashboard port."),
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Crawl the bundled offline archive (twice: the second round has a change), extract,
    map, and open the dashboard. Nothing leaves 127.0.0.1."""
    db.configure(database_url)
    url = db.database_url()
    env = {**os.environ, "REGWATCH_DATABASE_URL": url, "REGWATCH_DOWNLOAD_DELAY": "0"}
    if _regwatch(["init"], env) != 0:
        raise typer.Exit(1)
    _demo_users()
    if SAMPLE_CONTROLS.exists():
        _regwatch(["controls", "import", str(SAMPLE_CONTROLS)], env)
    for round_number in range(1, rounds + 1):
        server = start_server(0, round_number)
        archive = f"http://127.0.0.1:{server.server_address[1]}"
        typer.echo(f"demo round {round_number}: archive served at {archive}", err=True)
        try:
            code = _regwatch(
                ["crawl", "--sources", str(DEMO_SOURCES), "--rewrite-to", archive], env
            )
        finally:
            server.shutdown()
            server.server_close()
        if code != 0:
            raise typer.Exit(code)
    _demo_mapping()
    _regwatch(["obligations", "list", "--limit", "15"], env)
    _regwatch(["gaps", "--by", "topic"], env)
    if dashboard:
        raise typer.Exit(_regwatch(["dashboard", "--port", str(port)], env))
