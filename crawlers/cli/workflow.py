"""Users, the review workflow and the audit trail on the command line.

The acting user is ``--as USERNAME`` or ``REGWATCH_USER``; the library enforces its role.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import typer
from sqlmodel import Session, select

from crawlers.cli.common import DatabaseUrlOption, open_database
from crawlers.cli.output import FormatOption, OutputFormat, emit
from obligations import db
from obligations.errors import ConfigError, PermissionDeniedError
from obligations.models import Obligation, User
from obligations.services import audit, users, workflow

ActorOption = typer.Option(
    None,
    "--as",
    envvar="REGWATCH_USER",
    show_envvar=True,
    help="The acting user (an existing user; its role is enforced).",
)
IdsArgument = typer.Argument(..., metavar="ID...", help="Obligation ids.")
STATE_COLUMNS = ["id", "status", "status_reason", "owner", "due_date", "row_version"]
USER_COLUMNS = ["id", "username", "email", "display_name", "role", "active", "created_at"]
AUDIT_COLUMNS = ["id", "at", "actor", "action", "entity_type", "entity_id", "before", "after"]
ASSIGNMENT_COLUMNS = [
    "assignment_id", "obligation_id", "owner", "status", "due_date", "overdue", "assigned_by",
    "assigned_at", "completed_at", "text",
]  # fmt: skip
COMMENT_COLUMNS = ["id", "obligation_id", "author", "created_at", "body"]

users_app = typer.Typer(help="People who use regwatch and their roles.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit trail.", no_args_is_help=True)


def register(app: typer.Typer, obligations_app: typer.Typer) -> None:
    """Add the ``users`` and ``audit`` groups and the workflow commands of ``obligations``."""
    app.add_typer(users_app, name="users")
    app.add_typer(audit_app, name="audit")
    for name, command in [
        ("triage", obligations_triage),
        ("assign", obligations_assign),
        ("implement", obligations_implement),
        ("verify", obligations_verify),
        ("reopen", obligations_reopen),
        ("comment", obligations_comment),
        ("comments", obligations_comments),
        ("assignments", obligations_assignments),
    ]:
        obligations_app.command(name)(command)


def acting_user(session: Session, username: str | None) -> User:
    """The user named by ``--as``/``REGWATCH_USER``; it must exist and be active."""
    if not username:
        raise ConfigError("say who is acting: --as USERNAME or REGWATCH_USER")
    user = users.get_user(session, username)
    if not user.active:
        raise PermissionDeniedError(f"user {user.username!r} is inactive")
    return user


def parse_due(value: str) -> date:
    """A ``YYYY-MM-DD`` date, or a one-line error naming the option."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"--due must be a date YYYY-MM-DD, not {value!r}") from None


def _state_row(obligation: Obligation) -> dict:
    return {
        "id": obligation.id,
        "status": obligation.status,
        "status_reason": obligation.status_reason,
        "owner": obligation.owner,
        "due_date": obligation.due_date.isoformat() if obligation.due_date else None,
        "row_version": obligation.row_version,
    }


@contextmanager
def _changing_states(
    database_url: str | None, actor_name: str | None, output_format: OutputFormat
) -> Iterator[tuple[Session, User, list[Obligation]]]:
    """One transaction as the acting user: the command appends the obligations it
    changed to the yielded list, printed in their new state once committed."""
    open_database(database_url)
    changed: list[Obligation] = []
    with db.session_scope() as session:
        yield session, acting_user(session, actor_name), changed
        rows = [_state_row(obligation) for obligation in changed]
    emit(rows, output_format, STATE_COLUMNS)


# --- users ---------------------------------------------------------------------------------


def _read_password(password_stdin: bool, no_password: bool) -> str | None:
    if no_password:
        return None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise ConfigError("--password-stdin: no password on standard input")
        return password
    if not sys.stdin.isatty():
        raise ConfigError("no terminal to ask for a password: use --password-stdin")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_app.command("add")
def users_add(
    username: str = typer.Argument(...),
    role: str = typer.Option(..., "--role", help="admin, analyst, owner or auditor"),
    email: str | None = typer.Option(None, "--email"),
    display_name: str | None = typer.Option(None, "--display-name"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read it from stdin."),
    no_password: bool = typer.Option(False, "--no-password", help="No dashboard sign-in."),
    actor_name: str | None = ActorOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Add a user; the very first admin may be added without --as."""
    open_database(database_url)
    with db.session_scope() as session:
        actor = None
        if actor_name:
            actor = acting_user(session, actor_name)
        elif session.exec(select(User).where(User.role == "admin")).first() is not None:
            raise ConfigError("say who is adding the user: --as USERNAME (an admin)")
        elif role != "admin":
            raise ConfigError("there is no admin yet: add the first user with --role admin")
        if actor is not None:
            users.require(actor, "manage_users")
        password = _read_password(password_stdin, no_password)
        user = users.add_user(session, username, role, password, email, display_name, actor)
        typer.echo(f"added user {user.username} (role {user.role})", err=True)


@users_app.command("list")
def users_list(
    output_format: OutputFormat = FormatOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Every user and their role."""
    open_database(database_url)
    with db.session_scope() as session:
        rows = [user.model_dump(include=set(USER_COLUMNS)) for user in users.list_users(session)]
    emit(rows, output_format, USER_COLUMNS)


# --- the workflow --------------------------------------------------------------------------


def obligations_triage(
    obligation_ids: list[int] = IdsArgument,
    applicable: bool | None = typer.Option(
        None, "--applicable/--not-applicable", help="Does it apply to the firm?"
    ),
    reason: str | None = typer.Option(None, "--reason", help="Required when not applicable."),
    actor_name: str | None = ActorOption,
    output_format: OutputFormat = FormatOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Triage obligations as applicable or not applicable (all of them or none)."""
    if applicable is None:
        raise ConfigError("say --applicable or --not-applicable")
    with _changing_states(database_url, actor_name, output_format) as (session, actor, changed):
        for obligation_id in obligation_ids:
            changed.append(workflow.triage(session, actor, obligation_id, applicable, reason))


def obligations_assign(
    obligation_ids: list[int] = IdsArgument,
    owner: str = typer.Option(..., "--owner", help="The control owner's user name or email."),
    due: str = typer.Option(..., "--due", help="Due date, YYYY-MM-DD."),
    reassign: bool = typer.Option(False, "--reassign", help="Take it from its current owner."),
    actor_name: str | None = ActorOption,
    output_format: OutputFormat = FormatOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Assign obligations to a control owner by a due date (all of them or none)."""
    due_date = parse_due(due)
    with _changing_states(database_url, actor_name, output_format) as (session, actor, changed):
        workflow.assign(session, actor, obligation_ids, owner, due_date, reassign=reassign)
        changed.extend(session.get(Obligation, i) for i in obligation_ids)  # type: ignore[misc]


def obligations_implement(
    obligation_id: int = typer.Argument(..., metavar="ID"),
    note: str | None = typer.Option(None, "--note", help="What was done."),
    actor_name: str | None = ActorOption,
    output_format: OutputFormat = FormatOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """The control owner marks their assignment implemented."""
    with _changing_states(database_url, actor_name, output_format) as (session, actor, changed):
        workflow.mark_implemented(session, actor, obligation_id, note)
        changed.append(session.get(Obligation, obligation_id))  # type: ignore[arg-type]


def obligations_verify(
    obligation_id: int = typer.Argument(..., metavar="ID"),
    note: str | None = typer.Option(None, "--note", help="How it was tested."),
    actor_name: str | None = ActorOption,
    output_format: OutputFormat = FormatOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Sign off an implemented obligation (not by its own owner)."""
    with _changing_states(database_url, actor_name, output_format) as (session, actor, changed):
        changed.append(workflow.mark_verified(session, actor, obligation_id, note))


def obligations_reopen(
    obligation_id: int = typer.Argument(..., metavar="ID"),
    reason: str = typer.Option(..., "--reason", help="Why the control does not work."),
    actor_name: str | None = ActorOption,
    output_format: OutputFormat = FormatOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Send an implemented or verified obligation back to its owner."""
    with _changing_states(database_url, actor_name, output_format) as (session, actor, changed):
        changed.append(workflow.reopen(session, actor, obligation_id, reason))


def obligations_comment(
    obligation_id: int = typer.Argument(..., metavar="ID"),
    text: str = typer.Argument(..., metavar="TEXT"),
    actor_name: str | None = ActorOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Add a comment to an obligation."""
    open_database(database_url)
    with db.session_scope() as session:
        actor = acting_user(session, actor_name)
        comment = workflow.add_comment(session, actor, obligation_id, text)
        typer.echo(f"comment {comment.id} added to obligation {obligation_id}", err=True)


def obligations_comments(
    obligation_id: int = typer.Argument(..., metavar="ID"),
    output_format: OutputFormat = FormatOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """An obligation's comments, oldest first."""
    open_database(database_url)
    with db.session_scope() as session:
        rows = [c.model_dump() for c in workflow.list_comments(session, obligation_id)]
    emit(rows, output_format, COMMENT_COLUMNS)


def obligations_assignments(
    owner: str | None = typer.Option(None, "--owner", help="Default: the acting user."),
    overdue: bool = typer.Option(False, "--overdue", help="Every owner's overdue work."),
    include_completed: bool = typer.Option(False, "--all", help="Include implemented ones."),
    actor_name: str | None = ActorOption,
    output_format: OutputFormat = FormatOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """A control owner's open assignments (overdue flagged), or all overdue ones."""
    open_database(database_url)
    with db.session_scope() as session:
        if overdue:
            views = workflow.overdue_assignments(session)
        else:
            user = users.get_user(session, owner) if owner else acting_user(session, actor_name)
            views = workflow.my_assignments(session, user, include_completed=include_completed)
        rows = [view.as_row() for view in views]
    emit(rows, output_format, ASSIGNMENT_COLUMNS)


# --- audit ---------------------------------------------------------------------------------


@audit_app.command("verify")
def audit_verify(database_url: str | None = DatabaseUrlOption) -> None:
    """Recompute the hash chain: exit 0 if intact, 1 naming the first bad event."""
    open_database(database_url)
    with db.session_scope() as session:
        report = audit.verify_chain(session)
    if not report.ok:
        typer.echo(
            f"regwatch: audit chain broken at event {report.first_bad_id}: {report.reason} "
            f"({report.events} events checked)",
            err=True,
        )
        raise typer.Exit(1)
    typer.echo(f"audit chain ok: {report.events} events")


@audit_app.command("list")
def audit_list(
    actor: str | None = typer.Option(None, "--actor", help="Only events by this user."),
    entity: str | None = typer.Option(
        None, "--entity", help="TYPE or TYPE:ID, e.g. obligation:12 or user."
    ),
    limit: int = typer.Option(500, "--limit", min=1),
    output_format: OutputFormat = FormatOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Audit events, newest first."""
    entity_type, _, entity_id = (entity or "").partition(":")
    open_database(database_url)
    with db.session_scope() as session:
        events = audit.list_events(session, actor, entity_type or None, entity_id or None, limit)
        rows = [event.model_dump(include=set(AUDIT_COLUMNS)) for event in events]
    emit(rows, output_format, AUDIT_COLUMNS)
