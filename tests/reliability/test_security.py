"""Hostile input in register filters is inert; database passwords never reach output."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlmodel import Session, func, select

from obligations import db
from obligations.errors import ConfigError
from obligations.models import Obligation
from obligations.services.documents import (
    FetchedDocument,
    list_documents,
    store_fetched_document,
)
from obligations.services.extraction import extract_for_version
from obligations.services.register import RegisterFilter, list_register
from obligations.services.sources import upsert_sources
from obligations.text.normalise import normalise_text, text_sha256
from tests.helpers.cli import jsonl, run_regwatch

HOSTILE = [
    "'; DROP TABLE obligation; --",
    '"; DELETE FROM document; --',
    "' OR '1'='1",
    "%",
    "_",
    "\\",
    "') UNION SELECT password_hash FROM user --",
    "ﬁrms' --",
]
SOURCE = {
    "id": "s", "name": "S", "authority": "A", "authority_kind": "regulator",
    "jurisdiction": "US", "language": "en", "kind": "page", "url": "https://x.test/a",
}  # fmt: skip
TEXT = (
    "Firms must keep 100% of order tickets for six years.\n"
    "Firms must not delete records where the flag is ' OR '1'='1 in the ledger."
)


@pytest.fixture
def register(session: Session) -> Session:
    upsert_sources(session, [SOURCE])
    outcome = store_fetched_document(
        session,
        FetchedDocument(source_id="s", url="https://x.test/a", text=TEXT, content_sha256="0"),
    )
    extract_for_version(session, outcome.version_id)  # type: ignore[arg-type]
    session.commit()
    return session


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_filters_are_plain_values(register: Session, hostile: str) -> None:
    before = register.exec(select(func.count()).select_from(Obligation)).one()
    assert before == 2
    for filters in (
        RegisterFilter(source_id=hostile),
        RegisterFilter(owner=hostile),
        RegisterFilter(topic=hostile),
        RegisterFilter(modality=hostile),
        RegisterFilter(status=[hostile]),
    ):
        assert list_register(register, filters) == []
    assert list_documents(register, [hostile]) == []
    found = list_register(register, RegisterFilter(search=hostile))
    # Only statements that really contain the string, compared as text.
    assert all(hostile.casefold() in row["text"].casefold() for row in found)
    register.rollback()
    assert register.exec(select(func.count()).select_from(Obligation)).one() == before
    assert {"obligation", "document", "user"} <= set(inspect(register.get_bind()).get_table_names())


@pytest.mark.parametrize("field", ["search", "owner", "source_id", "topic", "modality"])
def test_nul_in_a_filter_is_refused_clearly(field: str) -> None:
    with pytest.raises(ConfigError, match=field):
        RegisterFilter(**{field: "a\x00b"})
    with pytest.raises(ConfigError, match="status"):
        RegisterFilter(status=["new\x00"])


def test_search_matches_literally(register: Session) -> None:
    assert len(list_register(register, RegisterFilter(search="100%"))) == 1
    assert list_register(register, RegisterFilter(search="100_")) == []
    assert len(list_register(register, RegisterFilter(search="' OR '1'='1"))) == 1


def test_cli_search_with_sql_is_harmless(database_url: str, tmp_path: Path) -> None:
    hostile = "x'); DROP TABLE obligation; --"
    rows = jsonl(
        run_regwatch(
            ["obligations", "list", "--search", hostile, "--owner", hostile, "--format", "jsonl"],
            database_url,
            tmp_path,
        )
    )
    assert rows == []
    with db.session_scope(database_url) as session:
        assert inspect(session.get_bind()).has_table("obligation")


SECRET = "S3cr3t-Pa55"


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql+psycopg://auditor:{SECRET}@127.0.0.1:1/regwatch",  # nobody listens
        f"postgresql+psycopg://auditor:{SECRET}@127.0.0.1:notaport/regwatch",  # bad port
        f"nosuchdb://auditor:{SECRET}@127.0.0.1/regwatch",  # unknown dialect
        f"auditor:{SECRET}@127.0.0.1/regwatch",  # no scheme at all
        f"postgresql+psycopg://auditor:{SECRET}@pw@127.0.0.1:1/regwatch",  # @ in password
    ],
)
def test_database_password_is_masked_in_errors(url: str, tmp_path: Path) -> None:
    for args in (["documents", "list"], ["documents", "list", "--database-url", url], ["init"]):
        process = run_regwatch(args, url, tmp_path, timeout=60)
        output = process.stdout + process.stderr
        assert process.returncode != 0
        assert "regwatch: error:" in process.stderr
        assert SECRET not in output and "Traceback" not in output, output


def test_mask_url_hides_every_password_form() -> None:
    assert db.mask_url("postgresql://u:pw@h/d") == "postgresql://u:***@h/d"
    assert "pw" not in db.mask_url("postgresql://u:p@w@h:bad/d")
    assert db.mask_url("sqlite:///data/regwatch.db") == "sqlite:///data/regwatch.db"


def test_crawled_text_with_nul_bytes_is_stored_on_every_backend(session: Session) -> None:
    """PostgreSQL refuses NUL in text: the normaliser removes control characters."""
    upsert_sources(session, [SOURCE])
    text = normalise_text("Firms must keep\x00 records\x07 for five years.\x1b")
    outcome = store_fetched_document(
        session,
        FetchedDocument(source_id="s", url="https://x.test/n", text=text, content_sha256="0"),
    )
    session.commit()
    assert outcome.kind == "new"
    assert list_documents(session)[0]["text_sha256"] == text_sha256(
        "Firms must keep records for five years."
    )
