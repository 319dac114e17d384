"""``regwatch subscriptions`` and ``regwatch notify`` as a user runs them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from crawlers.cli.commands import app
from obligations import db
from obligations.errors import ConfigError
from tests.helpers.httpserver import LocalServer, Route
from tests.obligations.notify_fixtures import Register

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
SECRET = "xoxb-123-secret"


def invoke(database_url: str, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, [*args, "--database-url", database_url])


def test_subscribe_list_and_notify(database_url: str) -> None:
    with LocalServer({f"/hook/{SECRET}": Route("", status=204)}) as server:
        hook = server.url(f"/hook/{SECRET}")
        added = invoke(
            database_url, "subscriptions", "add", "--topic", "sanctions", "--webhook", hook
        )
        assert added.exit_code == 0, added.output
        assert SECRET not in added.output
        invoke(database_url, "subscriptions", "add", "--email", "all@firm.example")
        listed = invoke(database_url, "subscriptions", "list", "--format", "jsonl")
        rows = [json.loads(line) for line in listed.stdout.splitlines()]
        assert [(r["topic"], r["channel"], r["target"]) for r in rows] == [
            ("sanctions", "webhook", f"http://127.0.0.1:{server.port}/…"),
            (None, "email", "all@firm.example"),
        ]
        assert invoke(database_url, "subscriptions", "remove", "2").exit_code == 0
        with db.session_scope(database_url) as session:
            Register(session).obligation(
                "Firms must freeze designated assets without delay.",
                datetime.now(UTC) - timedelta(seconds=5), ["sanctions"],
            )  # fmt: skip
        sent = invoke(database_url, "notify", "--settle", "0", "--format", "jsonl")
        assert sent.exit_code == 0, sent.output
        [result] = [json.loads(line) for line in sent.stdout.splitlines()]
        assert (result["status"], result["attempts"]) == ("sent", 1)
        assert SECRET not in sent.output
        [post] = [r for r in server.requests if r.method == "POST"]
    assert json.loads(post.body)["changes"][0]["topics"] == ["sanctions"]


def test_subscription_needs_exactly_one_channel(database_url: str) -> None:
    result = invoke(database_url, "subscriptions", "add", "--topic", "sanctions")
    assert isinstance(result.exception, ConfigError)
    assert "exactly one of --email or --webhook" in str(result.exception)
