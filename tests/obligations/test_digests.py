"""Digests per topic subscription and per owner, with an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from obligations.errors import ConfigError, PermissionDeniedError
from obligations.models import AuditEvent, Delivery, User
from obligations.services import row_version
from obligations.services.audit import verify_chain
from obligations.services.digests import build_digests, changes_between, render_text
from obligations.services.notifications import add_subscription, list_subscriptions
from obligations.services.row_version import guarded_update
from obligations.services.workflow import triage
from obligations.settings import Settings
from tests.obligations.notify_fixtures import Register

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(home=tmp_path, digest_settle_seconds=60, **values)  # type: ignore[arg-type]


def test_changes_between_classifies_new_amended_removed(session: Session) -> None:
    register = Register(session)
    kept = register.obligation("Firms must keep records for five years.", T0, ["record_retention"])
    old = register.obligation("Firms must screen clients daily.", T0, ["sanctions"], owner="alice")
    gone = register.obligation("Firms should train staff.", T0, ["governance_supervision"])
    amended = register.obligation(
        "Firms must screen clients hourly.", T0 + timedelta(hours=1), [], supersedes=old
    )
    register.supersede(gone, T0 + timedelta(hours=2))
    changes = changes_between(session, T0 + timedelta(minutes=1), T0 + timedelta(hours=3))
    assert [(c.kind, c.obligation_id) for c in changes] == [
        ("amended", amended.id), ("removed", gone.id),
    ]  # fmt: skip
    assert changes[0].previous_text == old.text and changes[0].owner == "alice"
    assert changes[0].topics == ["sanctions"]  # topics of the amended predecessor count
    first = changes_between(session, T0 - timedelta(minutes=1), T0)
    assert {c.obligation_id for c in first} == {kept.id, old.id, gone.id}
    assert {c.kind for c in first} == {"new"}


def test_removed_means_superseded_in_the_window_not_edited(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    register = Register(session)
    editor = User(username="ann", role="analyst")
    session.add(editor)
    edited = register.obligation("Firms must screen clients daily.", T0, ["sanctions"])
    gone_before = register.obligation("Firms should train staff.", T0, [])
    gone_within = register.obligation("Firms must report breaches.", T0, [])
    register.supersede(gone_before, T0 + timedelta(hours=1))
    window = (T0 + timedelta(hours=2), T0 + timedelta(hours=4))
    # In the window: a workflow edit of an obligation in force, an edit of the row of one
    # superseded earlier (both move updated_at), and one removal.
    monkeypatch.setattr(row_version, "utcnow", lambda: T0 + timedelta(hours=3))
    triage(session, editor, edited.id, applicable=True)  # type: ignore[arg-type]
    guarded_update(session, gone_before, status_reason="withdrawn by the regulator")
    register.supersede(gone_within, T0 + timedelta(hours=3, minutes=30))
    session.commit()
    assert gone_before.updated_at == edited.updated_at == T0 + timedelta(hours=3)

    changes = changes_between(session, *window)
    assert [(c.kind, c.obligation_id, c.at) for c in changes] == [
        ("removed", gone_within.id, (T0 + timedelta(hours=3, minutes=30)).isoformat())
    ]
    earlier = changes_between(session, T0 + timedelta(minutes=30), window[0])
    assert [(c.kind, c.obligation_id) for c in earlier] == [("removed", gone_before.id)]
    [event] = session.exec(
        select(AuditEvent).where(AuditEvent.entity_id == str(gone_within.id))
    ).all()
    assert (event.actor, event.action, event.after["status"]) == (
        "extraction", "obligation.supersede", "superseded",
    )  # fmt: skip
    assert verify_chain(session).ok


def test_removals_superseded_before_they_were_audited_still_count(session: Session) -> None:
    register = Register(session)
    legacy = register.obligation("Firms should train staff.", T0, [])
    legacy.superseded_by_version_id = register.version(T0 + timedelta(hours=1)).id
    legacy.status, legacy.updated_at = "superseded", T0 + timedelta(hours=1)
    session.add(legacy)
    session.commit()
    changes = changes_between(session, T0 + timedelta(minutes=30), T0 + timedelta(hours=2))
    assert [(c.kind, c.obligation_id) for c in changes] == [("removed", legacy.id)]


def test_topic_and_owner_digests_advance_their_watermark(session: Session, tmp_path: Path) -> None:
    register = Register(session)
    session.add(User(username="alice", email="alice@firm.example", role="owner"))
    sanctions = add_subscription(session, "sanctions", "email", "sanctions-team@firm.example")
    everything = add_subscription(session, None, "webhook", "http://127.0.0.1:9/hook?token=s3cret")
    config = settings(tmp_path, digest_first_lookback_days=1)
    old = register.obligation("Firms must screen clients daily.", T0, ["sanctions"], owner="alice")
    register.obligation("Firms must keep records.", T0, ["record_retention"])

    queued = build_digests(session, T0 + timedelta(minutes=5), config)
    by_recipient = {d.payload["recipient"]: d for d in queued}
    assert set(by_recipient) == {
        f"subscription:{sanctions.id}", f"subscription:{everything.id}", "owner:alice",
    }  # fmt: skip
    assert by_recipient[f"subscription:{sanctions.id}"].payload["counts"] == {
        "new": 1, "amended": 0, "removed": 0,
    }  # fmt: skip
    assert by_recipient[f"subscription:{everything.id}"].payload["counts"]["new"] == 2
    owner_digest = by_recipient["owner:alice"]
    assert (owner_digest.channel, owner_digest.target) == ("email", "alice@firm.example")
    assert owner_digest.subject == "regwatch: 1 new (obligations owned by alice)"
    assert "Firms must screen clients daily." in render_text(owner_digest.payload)

    # Nothing new: no second digest for anyone.
    assert build_digests(session, T0 + timedelta(minutes=30), config) == []

    # An amendment 10 minutes ago waits for the settle time (60 s), then goes out once.
    register.obligation(
        "Firms must screen clients hourly.", T0 + timedelta(minutes=40), [], supersedes=old
    )
    assert build_digests(session, T0 + timedelta(minutes=40, seconds=30), config) == []
    later = build_digests(session, T0 + timedelta(minutes=45), config)
    assert {d.payload["recipient"] for d in later} == {
        f"subscription:{sanctions.id}", f"subscription:{everything.id}", "owner:alice",
    }  # fmt: skip
    assert all(d.payload["counts"] == {"new": 0, "amended": 1, "removed": 0} for d in later)
    assert later[0].payload["since"] == (T0 + timedelta(minutes=4)).isoformat()  # last digest
    assert build_digests(session, T0 + timedelta(hours=2), config) == []
    assert len(session.exec(select(Delivery)).all()) == 6


def test_owner_without_address_gets_nothing(session: Session, tmp_path: Path) -> None:
    register = Register(session)
    register.obligation("Firms must report.", T0, ["reporting"], owner="bob")
    assert build_digests(session, T0 + timedelta(hours=1), settings(tmp_path)) == []
    register.obligation("Firms must file.", T0, ["reporting"], owner="carol@firm.example")
    [digest] = build_digests(session, T0 + timedelta(hours=1), settings(tmp_path))
    assert digest.target == "carol@firm.example"


def test_subscriptions_are_checked_audited_and_masked(session: Session) -> None:
    with pytest.raises(ConfigError, match="unknown topic 'crypto'"):
        add_subscription(session, "crypto", "email", "x@firm.example")
    with pytest.raises(ConfigError, match="not an email address"):
        add_subscription(session, None, "email", "nobody")
    with pytest.raises(ConfigError, match=r"http\(s\) URL: ftp://h/…"):
        add_subscription(session, None, "webhook", "ftp://h/secret-token")
    auditor = User(username="eve", role="auditor")
    session.add(auditor)
    with pytest.raises(PermissionDeniedError):
        add_subscription(session, None, "email", "x@firm.example", actor=auditor)
    admin = User(username="root", role="admin")
    add_subscription(session, "sanctions", "webhook", "https://h.example/hook/T0K3N?k=v", admin)
    [row] = list_subscriptions(session)
    assert row["target"] == "https://h.example/…"
    [event] = session.exec(select(AuditEvent)).all()
    assert (event.actor, event.action) == ("root", "subscription.add")
    assert "T0K3N" not in str(event.after)
