"""Two worker processes share one Redis queue: every page fetched once, none missed."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import pytest
import redis
from sqlmodel import select

from obligations import db
from obligations.models import CrawlRun, Document
from tests.helpers.httpserver import LocalServer, Route

REDIS_URL = os.environ.get("REGWATCH_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PAGES = 40


def _site() -> dict[str, Route]:
    links = "".join(f'<li><a href="/notice/{n}">Notice {n}</a></li>' for n in range(PAGES))
    routes = {"/notices": Route(f"<html><body><ul class='list'>{links}</ul></body></html>")}
    for n in range(PAGES):
        body = (
            f"<html><head><title>Notice {n}</title></head><body><div id='main'>"
            f"<p>Member firms must retain records of notice {n} for six years.</p>"
            "</div></body></html>"
        )
        routes[f"/notice/{n}"] = Route(body, delay=0.1)
    return routes


def _sources_file(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(
        f"""
[[source]]
id = "shared-notices"
name = "Shared notices"
authority = "FINRA"
authority_kind = "regulator"
jurisdiction = "US"
language = "en"
kind = "listing"
url = "{url}"

[source.listing]
item = "ul.list li"
link = "a"

[source.detail]
content = "div#main"
""",
        encoding="utf-8",
    )
    return path


def _worker(sources: Path, job: str, database_url: str, home: Path) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "REGWATCH_DATABASE_URL": database_url,
        "REGWATCH_HOME": str(home),
        "REGWATCH_DOWNLOAD_DELAY": "0",
        "REGWATCH_REDIS_IDLE_CLOSE": "2",
    }
    command = [sys.executable, "-m", "crawlers", "crawl", "--sources", str(sources)]
    command += ["--redis-url", REDIS_URL, "--job", job, "--format", "jsonl"]
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


@pytest.fixture
def redis_client():  # type: ignore[no-untyped-def]
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        pytest.fail(f"Redis is not running at {REDIS_URL}: {exc}")
    yield client
    client.close()


def test_two_workers_share_one_queue(database_url: str, tmp_path: Path, redis_client) -> None:  # type: ignore[no-untyped-def]
    job = f"test-{uuid.uuid4().hex[:8]}"
    with LocalServer(_site()) as server:
        sources = _sources_file(tmp_path, server.url("/notices"))
        workers = [_worker(sources, job, database_url, tmp_path) for _ in range(2)]
        for worker in workers:
            _, stderr = worker.communicate(timeout=120)
            assert worker.returncode == 0, stderr
        fetched = Counter(r.path for r in server.requests if r.path.startswith("/notice/"))

    assert len(fetched) == PAGES, "a page was missed"
    assert set(fetched.values()) == {1}, "a page was fetched twice"
    with db.session_scope(database_url) as session:
        documents = session.exec(select(Document)).all()
        runs = session.exec(select(CrawlRun)).all()
    assert len(documents) == PAGES
    assert len(runs) == 2 and {run.status for run in runs} == {"ok"}
    assert all(run.new_documents > 0 for run in runs), "one worker did all the work"
    assert sum(run.new_documents for run in runs) == PAGES
    keys = redis_client.keys(f"regwatch:{job}:*")
    assert keys and all(0 < redis_client.ttl(key) <= 86_400 for key in keys)


def test_job_without_redis_is_refused(tmp_path: Path, database_url: str) -> None:
    from tests.helpers.cli import run_regwatch

    sources = _sources_file(tmp_path, "http://127.0.0.1:9/notices")
    result = run_regwatch(
        ["crawl", "--sources", str(sources), "--job", "x"], database_url, tmp_path
    )
    assert result.returncode != 0
    assert "--job needs --redis-url" in result.stderr
    with db.session_scope(database_url) as session:
        assert session.exec(select(CrawlRun)).all() == []
