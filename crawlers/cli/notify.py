"""``regwatch subscriptions add|list|remove`` and ``regwatch notify``."""

from __future__ import annotations

import typer

from crawlers.cli.common import DatabaseUrlOption, LocalActorOption, open_database, optional_actor
from crawlers.cli.output import FormatOption, OutputFormat, emit
from obligations import db
from obligations.errors import ConfigError

subscriptions_app = typer.Typer(
    help="Digest subscriptions (email or webhook).", no_args_is_help=True
)
SUBSCRIPTION_COLUMNS = ["id", "topic", "channel", "target", "username", "active", "created_at"]
DELIVERY_COLUMNS = ["id", "channel", "target", "status", "attempts", "last_error"]


@subscriptions_app.command("add")
def subscriptions_add(
    topic: str | None = typer.Option(None, "--topic", help="A taxonomy topic id (default: all)."),
    email: str | None = typer.Option(None, "--email", help="Send the digest to this address."),
    webhook: str | None = typer.Option(None, "--webhook", help="POST the digest as JSON here."),
    username: str | None = typer.Option(None, "--user", help="The user this subscription is for."),
    acting_user: str | None = LocalActorOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Subscribe an email address or a webhook to a topic's digest."""
    from obligations.services.notifications import add_subscription, public_row

    if (email is None) == (webhook is None):
        raise ConfigError("give exactly one of --email or --webhook")
    channel, target = ("email", email) if email else ("webhook", webhook)
    open_database(database_url)
    with db.session_scope() as session:
        subscription = add_subscription(
            session, topic, channel, str(target), optional_actor(session, acting_user), username
        )
        row = public_row(subscription)
    typer.echo(
        f"subscription {row['id']}: {row['topic'] or 'all topics'} → {row['target']}", err=True
    )


@subscriptions_app.command("list")
def subscriptions_list(
    include_inactive: bool = typer.Option(False, "--all", help="Include removed ones."),
    output_format: OutputFormat = FormatOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """The subscriptions (webhook URLs masked)."""
    from obligations.services.notifications import list_subscriptions

    open_database(database_url)
    with db.session_scope() as session:
        rows = list_subscriptions(session, include_inactive)
    emit(rows, output_format, SUBSCRIPTION_COLUMNS)


@subscriptions_app.command("remove")
def subscriptions_remove(
    subscription_id: int = typer.Argument(..., metavar="ID"),
    acting_user: str | None = LocalActorOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Stop a subscription."""
    from obligations.services.notifications import deactivate_subscription

    open_database(database_url)
    with db.session_scope() as session:
        deactivate_subscription(session, subscription_id, optional_actor(session, acting_user))
    typer.echo(f"subscription {subscription_id} removed", err=True)


def notify(
    force: bool = typer.Option(False, "--force", help="Retry failed deliveries now, not later."),
    settle: float | None = typer.Option(
        None, "--settle", min=0, help="Leave out changes younger than this (seconds)."
    ),
    output_format: OutputFormat = FormatOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Queue the digests that are due and send every pending delivery now."""
    from dataclasses import asdict

    from obligations.services.notifications import notification_tick
    from obligations.settings import get_settings

    open_database(database_url)
    settings = get_settings()
    if settle is not None:
        settings = settings.model_copy(update={"digest_settle_seconds": settle})
    results = notification_tick(db.database_url(), settings, force=force)
    emit([asdict(r) for r in results], output_format, DELIVERY_COLUMNS)
    failed = sum(r.status != "sent" for r in results)
    typer.echo(f"{len(results) - failed} sent, {failed} failed (kept for retry)", err=True)
