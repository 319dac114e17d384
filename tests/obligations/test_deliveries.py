"""Sending digests: SMTP to a local server, webhooks to a local HTTP server, retries."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlmodel import select

from obligations import db
from obligations.models import Delivery
from obligations.services.deliveries import send_due
from obligations.services.notifications import add_subscription, notification_tick
from obligations.settings import Settings
from tests.helpers.httpserver import LocalServer, Route
from tests.obligations.notify_fixtures import Register

PASSWORD = "pa55-w0rd-never-shown"
TOKEN = "tok-7d1e0c"


class Inbox:
    """An aiosmtpd handler that keeps what it receives and who logged in."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.logins: list[tuple[bytes, bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        self.messages.append((envelope.mail_from, envelope.rcpt_tos, envelope.content))
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        assert isinstance(auth_data, LoginPassword)
        self.logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == PASSWORD.encode(), handled=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, authenticator=inbox.authenticate,
        auth_require_tls=False,
    )  # fmt: skip
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(
        home=tmp_path, digest_settle_seconds=0, delivery_retry_base=60, smtp_timeout=5, **values
    )  # type: ignore[arg-type]


def test_digest_by_email_with_login(
    database_url: str,
    tmp_path: Path,
    smtp_server,
    caplog: pytest.LogCaptureFixture,  # type: ignore[no-untyped-def]
) -> None:
    inbox, port = smtp_server
    now = datetime.now(UTC)
    with db.session_scope(database_url) as session:
        Register(session).obligation(
            "Firms must retain chat messages for three years.", now - timedelta(minutes=5),
            ["record_retention"], owner="dana@firm.example",
        )  # fmt: skip
        add_subscription(session, "record_retention", "email", "records@firm.example")
    settings = _settings(
        tmp_path, smtp_host="127.0.0.1", smtp_port=port, smtp_user="regwatch",
        smtp_password=PASSWORD, smtp_from="regwatch@firm.example",
    )  # fmt: skip
    caplog.set_level(logging.DEBUG)
    results = notification_tick(database_url, settings, now=now)
    assert sorted((r.target, r.status) for r in results) == [
        ("dana@firm.example", "sent"), ("records@firm.example", "sent"),
    ]  # fmt: skip
    assert inbox.logins and inbox.logins[0][0] == b"regwatch"
    by_rcpt = {rcpts[0]: message_from_bytes(body) for _, rcpts, body in inbox.messages}
    message = by_rcpt["records@firm.example"]
    assert message["Subject"] == "regwatch: 1 new (topic record_retention)"
    assert message["From"] == "regwatch@firm.example"
    assert "Firms must retain chat messages for three years." in message.get_payload()
    assert PASSWORD not in caplog.text

    # A wrong password: recorded as failed, the password never in the stored error.
    with db.session_scope(database_url) as session:
        add_subscription(session, None, "email", "all@firm.example")
    wrong = settings.model_copy(update={"smtp_password": settings.smtp_password})
    wrong.smtp_password = type(settings.smtp_password)("wrong-" + PASSWORD)  # type: ignore[misc]
    [failed] = notification_tick(database_url, wrong, now=now + timedelta(minutes=1))
    assert failed.status == "failed" and "SMTPAuthenticationError" in failed.last_error  # type: ignore[operator]
    assert PASSWORD not in (failed.last_error or "") and PASSWORD not in caplog.text


def test_failing_webhook_is_retried_with_backoff_then_delivered(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    now = datetime.now(UTC)
    caplog.set_level(logging.DEBUG)
    path = f"/hooks/{TOKEN}?key={TOKEN}"
    with LocalServer({path: Route("down", status=503)}) as server:
        hook = server.url(path)
        with db.session_scope(database_url) as session:
            Register(session).obligation(
                "Members must not offer NFT trading.", now - timedelta(minutes=5), ["crypto_assets"]
            )
            add_subscription(session, "crypto_assets", "webhook", hook)
        settings = _settings(tmp_path)
        [first] = notification_tick(database_url, settings, now=now)
        assert (first.status, first.attempts, first.last_error) == (
            "failed", 1, f"webhook http://127.0.0.1:{server.port}/…: HTTP 503",
        )  # fmt: skip
        assert first.target == f"http://127.0.0.1:{server.port}/…"
        # Not due again before the backoff (60 s), and no second digest is queued.
        assert notification_tick(database_url, settings, now=now + timedelta(seconds=30)) == []
        server.routes[path] = Route("ok", status=204)
        [second] = notification_tick(database_url, settings, now=now + timedelta(seconds=61))
        assert (second.status, second.attempts, second.last_error) == ("sent", 2, None)
        posts = [r for r in server.requests if r.method == "POST"]
    assert len(posts) == 2
    body = json.loads(posts[-1].body)
    assert body["kind"] == "regwatch.digest" and body["counts"]["new"] == 1
    assert body["changes"][0]["text"] == "Members must not offer NFT trading."
    assert posts[-1].headers["Content-Type"] == "application/json"
    assert TOKEN not in caplog.text
    with db.session_scope(database_url) as session:
        [delivery] = session.exec(select(Delivery)).all()
        assert (delivery.status, delivery.attempts) == ("sent", 2)
        assert delivery.sent_at is not None


def test_unreachable_webhook_keeps_the_delivery(database_url: str, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    with db.session_scope(database_url) as session:
        session.add(Delivery(channel="webhook", target=f"http://127.0.0.1:{_free_port()}/{TOKEN}",
                             subject="s", payload={}, next_attempt_at=now))  # fmt: skip
    settings = _settings(tmp_path, webhook_timeout=2)
    [result] = send_due(database_url, settings, lambda: now)
    assert result.status == "failed" and TOKEN not in (result.last_error or "")
    assert "Connection refused" in (result.last_error or "")
    assert send_due(database_url, settings, lambda: now) == []  # backing off
    [again] = send_due(database_url, settings, lambda: now, force=True)
    assert again.attempts == 2
    with db.session_scope(database_url) as session:
        [delivery] = session.exec(select(Delivery)).all()
        assert delivery.next_attempt_at >= now + timedelta(seconds=119)  # 60 s doubled
