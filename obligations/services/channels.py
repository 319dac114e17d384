"""Sending one message: email over SMTP, or a JSON POST to a webhook; secrets masked.

A webhook URL often carries its token in the path or query, and the SMTP password is a
secret: neither may reach a log line, an error stored on a Delivery or the CLI's output.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import urllib.error
import urllib.request
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

from obligations.settings import Settings

CHANNELS = ("email", "webhook")
MAX_ERROR = 500


class DeliveryError(Exception):
    """A send did not go through; the message is safe to store and show."""


def mask_url(url: str) -> str:
    """``scheme://host[:port]/…``: no credentials, path or query."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    port = f":{parts.port}" if parts.port else ""
    rest = "/…" if (parts.path not in ("", "/") or parts.query) else ""
    return f"{parts.scheme}://{host}{port}{rest}"


def mask_target(channel: str, target: str) -> str:
    """How a delivery target may be shown: email addresses as they are, webhooks masked."""
    return mask_url(target) if channel == "webhook" else target


def redact(text: str, secrets: list[str]) -> str:
    """``text`` with every non-empty secret replaced by ``***``, cut to a sane length."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text[:MAX_ERROR]


def _smtp_secrets(settings: Settings) -> list[str]:
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
    return [password]


def send_email(settings: Settings, to: str, subject: str, body: str) -> None:
    """Send a plain-text email through the configured SMTP server."""
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    try:
        with smtplib.SMTP(
            settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout
        ) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                password = (
                    settings.smtp_password.get_secret_value() if settings.smtp_password else ""
                )
                smtp.login(settings.smtp_user, password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        reason = redact(f"{type(exc).__name__}: {exc}", _smtp_secrets(settings))
        raise DeliveryError(f"SMTP {settings.smtp_host}:{settings.smtp_port}: {reason}") from None


def post_webhook(settings: Settings, url: str, payload: dict[str, Any]) -> None:
    """POST ``payload`` as JSON; any 2xx answer is success."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise DeliveryError(f"webhook {mask_url(url)}: not an http(s) URL")
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8"),
        headers={"Content-Type": "application/json", "User-Agent": settings.user_agent},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.webhook_timeout) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (OSError, ValueError) as exc:
        reason = redact(f"{type(exc).__name__}: {exc}", [url, urlsplit(url).query])
        raise DeliveryError(f"webhook {mask_url(url)}: {reason}") from None
    if not 200 <= status < 300:
        raise DeliveryError(f"webhook {mask_url(url)}: HTTP {status}")
