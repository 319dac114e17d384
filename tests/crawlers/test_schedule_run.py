"""The real ``regwatch schedule run``: crawls every second, notifies, stops on SIGTERM."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlmodel import select

from crawlers.scheduler import job_rows, open_paused
from obligations import db
from obligations.models import CrawlRun, Delivery
from obligations.settings import Settings
from tests.helpers.cli import run_regwatch
from tests.helpers.httpserver import LocalServer, Route

PAGE = """<html><head><title>Circular 12</title></head><body><main><h1>Circular 12</h1>
<p>Licensed corporations must keep records of client orders for at least seven years.</p>
</main></body></html>"""


def _sources(path: Path, url: str) -> Path:
    path.write_text(
        f"""[[source]]
id = "local-circular"
name = "Local circular"
authority = "SFC"
authority_kind = "regulator"
jurisdiction = "HK"
language = "en"
kind = "page"
url = "{url}"
schedule = "*/1 * * * * *"
""",
        encoding="utf-8",
    )
    return path


def _runs(database_url: str) -> list[CrawlRun]:
    with db.session_scope(database_url) as session:
        return list(session.exec(select(CrawlRun).order_by(CrawlRun.id)).all())


@pytest.mark.parametrize(
    "database_url", ["sqlite"], indirect=True
)  # the job store: both, elsewhere
def test_schedule_run_crawls_on_schedule_and_stops_cleanly(
    database_url: str, tmp_path: Path
) -> None:
    with LocalServer({"/circular-12.html": Route(PAGE), "/hook": Route("", status=204)}) as server:
        sources = _sources(tmp_path / "sources.toml", server.url("/circular-12.html"))
        added = run_regwatch(
            ["subscriptions", "add", "--topic", "record_retention", "--webhook",
             server.url("/hook")], database_url, tmp_path,
        )  # fmt: skip
        assert added.returncode == 0, added.stderr
        env = {
            **os.environ,
            "REGWATCH_DATABASE_URL": database_url, "REGWATCH_HOME": str(tmp_path),
            "REGWATCH_DOWNLOAD_DELAY": "0", "REGWATCH_RETRY_TIMES": "0",
            "REGWATCH_DOWNLOAD_TIMEOUT": "10", "REGWATCH_CRAWL_TIMEOUT": "60",
            "REGWATCH_NOTIFY_INTERVAL": "1", "REGWATCH_DIGEST_SETTLE_SECONDS": "0",
            "REGWATCH_SHUTDOWN_GRACE": "1", "REGWATCH_CRAWL_STOP_WAIT": "1",
        }  # fmt: skip
        process = subprocess.Popen(
            [sys.executable, "-m", "crawlers", "schedule", "run", "--sources", str(sources)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and process.poll() is None:
                finished = [r for r in _runs(database_url) if r.status != "running"]
                with db.session_scope(database_url) as session:
                    sent = session.exec(select(Delivery).where(Delivery.status == "sent")).all()
                if finished and sent:
                    break
                time.sleep(0.3)
            # The next crawl hangs on a slow page; SIGTERM then stops it after the grace.
            server.routes["/circular-12.html"] = Route(PAGE, delay=30)
            hits = len(server.hits("/circular-12.html"))
            while time.monotonic() < deadline and len(server.hits("/circular-12.html")) == hits:
                time.sleep(0.2)
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=90)
        finally:
            if process.poll() is None:
                process.kill()
        posts = [r for r in server.requests if r.method == "POST"]
    assert process.returncode == 0, stderr
    assert "scheduler stopped" in stderr
    assert "stopped at shutdown: local-circular" in stderr
    runs = _runs(database_url)
    assert {r.trigger for r in runs} == {"scheduled"}
    assert runs[0].status == "ok" and runs[0].new_documents == 1
    assert runs[-1].status == "interrupted", stderr
    assert runs[-1].error.startswith("stopped at scheduler shutdown")  # type: ignore[union-attr]
    assert all(r.status == "ok" for r in runs[:-1]), [(r.status, r.error) for r in runs]
    # Never two crawls of the source at once, although the schedule fires every second.
    for earlier, later in itertools.pairwise(runs):
        assert earlier.finished_at is not None and earlier.finished_at <= later.started_at
    [digest] = [json.loads(p.body) for p in posts]
    assert digest["counts"]["new"] == 1 and "seven years" in digest["changes"][0]["text"]
    # The job stays in the database for the next start.
    store = open_paused(database_url, Settings(home=tmp_path))
    try:
        [job] = job_rows(store)
    finally:
        store.shutdown(wait=False)
    assert (job["id"], job["schedule"]) == ("local-circular", "*/1 * * * * *")
