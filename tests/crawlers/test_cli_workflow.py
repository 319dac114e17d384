"""The workflow, users and audit commands, run as a user would (subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from obligations import db
from obligations.models import Control
from obligations.services import workflow
from obligations.timeutil import utcnow
from tests.helpers.cli import jsonl, run_regwatch
from tests.obligations.workflow_fixtures import accept_control, seed_obligations, seed_users

REGISTER_KEYS = {
    "id", "document_id", "source_id", "text", "modality", "topics", "status", "owner",
    "controls", "retention_period_days",
}  # fmt: skip


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    """The CLI adds nothing backend-specific: most CLI tests run on SQLite only (fast)."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    db.upgrade_database(url)
    yield url
    db.dispose_engines()


def _one_error_line(process: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert process.returncode == 2, process.stderr
    lines = process.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], process.stderr


def test_first_admin_bootstrap_and_roles(sqlite_url: str, tmp_path: Path) -> None:
    no_admin = run_regwatch(["users", "add", "ann", "--role", "analyst", "--no-password"],
                            sqlite_url, tmp_path)  # fmt: skip
    _one_error_line(no_admin, "there is no admin yet")

    environment = {
        **os.environ,
        "REGWATCH_DATABASE_URL": sqlite_url,
        "REGWATCH_HOME": str(tmp_path),
    }
    first_admin = subprocess.run(
        [sys.executable, "-m", "crawlers", "users", "add", "ada", "--role", "admin",
         "--email", "ada@example.com", "--password-stdin"],
        input="correct horse battery\n", capture_output=True, text=True, env=environment,
        timeout=120,
    )  # fmt: skip
    assert first_admin.returncode == 0, first_admin.stderr

    anonymous = run_regwatch(["users", "add", "ann", "--role", "analyst", "--no-password"],
                             sqlite_url, tmp_path)  # fmt: skip
    _one_error_line(anonymous, "--as USERNAME")
    by_admin = run_regwatch(["users", "add", "ann", "--role", "analyst", "--no-password"],
                            sqlite_url, tmp_path, REGWATCH_USER="ada")  # fmt: skip
    assert by_admin.returncode == 0, by_admin.stderr
    listed = jsonl(run_regwatch(["users", "list", "--format", "jsonl"], sqlite_url, tmp_path))
    assert [(u["username"], u["role"], u["email"]) for u in listed] == [
        ("ada", "admin", "ada@example.com"),
        ("ann", "analyst", None),
    ]
    with db.session_scope(sqlite_url) as session:
        stored = session.execute(text("SELECT password_hash FROM \"user\" WHERE username='ada'"))
        assert stored.scalar_one().startswith("$argon2")


def test_triage_assign_comment_from_the_command_line(sqlite_url: str, tmp_path: Path) -> None:
    with db.session_scope(sqlite_url) as session:
        first, second, _ = seed_obligations(session, 3)
        seed_users(session)
        session.add(Control(id="COMM-01", title="Archive instant messaging"))
    ids = [str(first), str(second)]
    due = (utcnow().date() + timedelta(days=14)).isoformat()

    triaged = jsonl(run_regwatch(["obligations", "triage", *ids, "--applicable", "--as", "ann",
                                  "--format", "jsonl"], sqlite_url, tmp_path))  # fmt: skip
    assert [(row["id"], row["status"]) for row in triaged] == [
        (first, "triaged"),
        (second, "triaged"),
    ]

    unknown = run_regwatch(["obligations", "assign", *ids, "--owner", "nobody", "--due", due,
                            "--as", "ann"], sqlite_url, tmp_path)  # fmt: skip
    _one_error_line(unknown, "unknown user 'nobody'")
    auditor = run_regwatch(["obligations", "assign", *ids, "--owner", "olga", "--due", due],
                           sqlite_url, tmp_path, REGWATCH_USER="aud")  # fmt: skip
    _one_error_line(auditor, "'aud' (role auditor) may not assign")
    assigned = jsonl(run_regwatch(["obligations", "assign", *ids, "--owner", "olga", "--due", due,
                                   "--format", "jsonl"], sqlite_url, tmp_path,
                                  REGWATCH_USER="ann"))  # fmt: skip
    assert {(row["status"], row["owner"], row["due_date"]) for row in assigned} == {
        ("assigned", "olga", due)
    }
    commented = run_regwatch(["obligations", "comment", ids[0], "Covers Teams chats as well?",
                              "--as", "olga"], sqlite_url, tmp_path)  # fmt: skip
    assert commented.returncode == 0, commented.stderr
    mapped = run_regwatch(["obligations", "map", ids[0], "COMM-01"], sqlite_url, tmp_path,
                          REGWATCH_USER="ann")  # fmt: skip
    assert mapped.returncode == 0, mapped.stderr

    mine = jsonl(run_regwatch(["obligations", "assignments", "--as", "olga", "--format", "jsonl"],
                              sqlite_url, tmp_path))  # fmt: skip
    assert sorted(row["obligation_id"] for row in mine) == [first, second]
    assert not any(row["overdue"] for row in mine)
    register = jsonl(run_regwatch(["obligations", "list", "--format", "jsonl"], sqlite_url,
                                  tmp_path))  # fmt: skip
    assert all(set(row) == REGISTER_KEYS for row in register)
    assert {row["id"]: (row["status"], row["owner"]) for row in register} == {
        first: ("mapped", "olga"), second: ("assigned", "olga"), first + 2: ("new", None),
    }  # fmt: skip
    events = jsonl(run_regwatch(["audit", "list", "--actor", "olga", "--format", "jsonl"],
                                sqlite_url, tmp_path))  # fmt: skip
    assert [(e["action"], e["after"]["body"]) for e in events] == [
        ("obligation.comment", "Covers Teams chats as well?")
    ]


def test_audit_verify_detects_an_edit_made_in_sql(database_url: str, tmp_path: Path) -> None:
    with db.session_scope(database_url) as session:
        (obligation_id,) = seed_obligations(session, 1)
        seed_users(session)
    triaged = run_regwatch(["obligations", "triage", str(obligation_id), "--not-applicable",
                            "--reason", "No retail customers.", "--as", "ann"],
                           database_url, tmp_path)  # fmt: skip
    assert triaged.returncode == 0, triaged.stderr
    intact = run_regwatch(["audit", "verify"], database_url, tmp_path)
    assert intact.returncode == 0 and "audit chain ok: 7 events" in intact.stdout, intact.stderr

    with db.session_scope(database_url) as session:
        event_id = session.execute(
            text("SELECT id FROM auditevent WHERE action = 'obligation.not_applicable'")
        ).scalar_one()
        edited = json.dumps({"status": "triaged", "status_reason": None, "owner": None})
        session.execute(text("UPDATE auditevent SET after = :after WHERE id = :id"),
                        {"after": edited, "id": event_id})  # fmt: skip
    broken = run_regwatch(["audit", "verify"], database_url, tmp_path)
    assert broken.returncode == 1
    assert f"audit chain broken at event {event_id}: its content was edited" in broken.stderr


def test_implement_verify_reopen_from_the_command_line(sqlite_url: str, tmp_path: Path) -> None:
    with db.session_scope(sqlite_url) as session:
        (obligation_id,) = seed_obligations(session, 1)
        users = seed_users(session)
        workflow.triage(session, users["ann"], obligation_id, applicable=True)
        due = utcnow().date() + timedelta(days=7)
        workflow.assign(session, users["ann"], [obligation_id], "olga", due)
        accept_control(session, obligation_id)
        workflow.mark_mapped(session, users["ann"], obligation_id)
    ident = str(obligation_id)

    def state(args: list[str], user: str) -> tuple[str, str | None, int]:
        (row,) = jsonl(run_regwatch(["obligations", *args, ident, "--format", "jsonl"],
                                    sqlite_url, tmp_path, REGWATCH_USER=user))  # fmt: skip
        return row["status"], row["status_reason"], row["row_version"]

    implemented = state(["implement", "--note", "Archiving switched on"], "olga")
    assert implemented[:2] == ("implemented", None)
    own_sign_off = run_regwatch(["obligations", "verify", ident], sqlite_url, tmp_path,
                                REGWATCH_USER="olga")  # fmt: skip
    _one_error_line(own_sign_off, "may not verify")
    assert state(["verify"], "ada")[:2] == ("verified", None)
    no_reason = run_regwatch(["obligations", "reopen", ident, "--reason", " "], sqlite_url,
                             tmp_path, REGWATCH_USER="ada")  # fmt: skip
    _one_error_line(no_reason, "a reason is required")
    assert state(["reopen", "--reason", "Teams not archived"], "ada") == (
        "mapped", "Teams not archived", implemented[2] + 2,
    )  # fmt: skip
