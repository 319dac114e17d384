"""A small, real register for the dashboard tests, built with the library's own functions."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlmodel import select

from obligations import db
from obligations.models import Obligation
from obligations.services.documents import FetchedDocument, store_fetched_document
from obligations.services.extraction import extract_for_version
from obligations.services.sources import finish_run, start_run, upsert_sources
from obligations.services.users import add_user, hash_password

PASSWORD = "correct-horse-battery"
USERS = {"root": "admin", "ana": "analyst", "olga": "owner", "odin": "owner", "audrey": "auditor"}

# Crawled text that tries to become markup: it must reach the page as inert text.
HOSTILE = (
    '<script>alert("pwned")</script> <img src=x onerror="alert(2)"> '
    "[click me](javascript:alert(3)) **bold** ![beacon](http://127.0.0.1:9/t.png) :red[red]"
)
VERSION_1 = (
    "Notice 26-01. Member firms must preserve every business message for not less than "
    "three years. Firms must not destroy records before the period ends. "
    "Firms must file an annual report on their archiving systems."
)
VERSION_2 = (
    "Notice 26-01. Member firms must preserve every business message for not less than "
    "six years. Firms must not destroy records before the period ends. "
    f"Firms must screen every message for {HOSTILE} before it is archived."
)
SOURCES = [
    {
        "id": "us-notices", "name": "US notices", "authority": "FINRA",
        "authority_kind": "regulator", "jurisdiction": "US", "language": "en", "kind": "page",
        "url": "https://regulator.example/notices", "schedule": "0 */6 * * *",
    },
    {
        "id": "hk-circulars", "name": "HK circulars", "authority": "SFC",
        "authority_kind": "regulator", "jurisdiction": "HK", "language": "en", "kind": "page",
        "url": "https://hk.example/circulars", "schedule": "30 2 * * 1",
    },
]  # fmt: skip


@dataclass
class Seeded:
    """What the seed created: the changed document's versions and the obligations."""

    database_url: str
    first_version_id: int
    second_version_id: int
    obligation_ids: list[int]
    hostile_obligation_id: int


@cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


def _store(session, source_id: str, url: str, text: str, title: str) -> int:  # type: ignore[no-untyped-def]
    outcome = store_fetched_document(
        session,
        FetchedDocument(source_id, url, text, "0" * 64, title=title, language="en"),
    )
    assert outcome.version_id is not None
    extract_for_version(session, outcome.version_id)
    return outcome.version_id


def seed(database_url: str) -> Seeded:
    """Users of every role, two sources with runs, a document that changed, obligations."""
    with db.session_scope(database_url) as session:
        for username, role in USERS.items():
            # argon2 is slow on purpose: hash the shared test password once per process.
            user = add_user(session, username, role)
            user.password_hash = _password_hash()
            session.add(user)
        upsert_sources(session, SOURCES)
        session.flush()
        first = _store(session, "us-notices", "https://regulator.example/n/26-01", VERSION_1,
                       "Notice 26-01 <b>archiving</b>")  # fmt: skip
        second = _store(session, "us-notices", "https://regulator.example/n/26-01", VERSION_2,
                        "Notice 26-01 <b>archiving</b>")  # fmt: skip
        circular = (
            "Corporations are encouraged to apply for a licence from the SFC well before"
            " they start any regulated activity in Hong Kong."
        )
        _store(session, "hk-circulars", "javascript:alert(4)", circular, "Circular")
        ok = start_run(session, "us-notices")
        finish_run(session, ok.id, "ok", None, {"requests": 3, "new_versions": 1})  # type: ignore[arg-type]
        failed = start_run(session, "hk-circulars")
        finish_run(session, failed.id, "failed", "HTTP 503 from the listing page", {"errors": 1})  # type: ignore[arg-type]
        obligations = session.exec(
            select(Obligation).where(Obligation.superseded_by_version_id == None)  # noqa: E711
        ).all()
        hostile = next(o for o in obligations if "<script>" in o.text)
        return Seeded(
            database_url=database_url,
            first_version_id=first,
            second_version_id=second,
            obligation_ids=sorted(o.id for o in obligations),  # type: ignore[misc]
            hostile_obligation_id=hostile.id,  # type: ignore[arg-type]
        )


CONTROLS_CSV = (
    "id,title,description,owner,topics,status\n"
    "COMM-01,Archive business messages,Every business message on approved channels is "
    "captured and archived for six years,olga,communications_archiving;record_retention,active\n"
    "RET-01,Retention schedule,Records are kept for the period the schedule sets,olga,"
    "record_retention,active\n"
    'LIC-01,"Licence register <script>x</script>",Licences are tracked,odin,'
    "licensing_registration,active\n"
)


def import_sample_controls(database_url: str) -> None:
    """The small control library above, imported by the library as the admin."""
    import tempfile
    from pathlib import Path

    from obligations.services.controls import import_controls
    from obligations.services.users import get_user

    with tempfile.TemporaryDirectory() as folder, db.session_scope(database_url) as session:
        path = Path(folder) / "controls.csv"
        path.write_text(CONTROLS_CSV, encoding="utf-8")
        import_controls(session, path, get_user(session, "root"))
