"""Helpers for crawler tests: sources TOML, a crawl in a subprocess, database reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from obligations import db
from obligations.models import CrawlRun, Document, DocumentVersion
from tests.helpers.cli import jsonl, run_regwatch


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, ensure_ascii=False)  # strings and lists of strings


def source_toml(
    source_id: str, kind: str, url: str, language: str = "en", **tables: dict[str, Any]
) -> str:
    """One ``[[source]]`` table; ``tables`` are its sub-tables (listing, api, detail)."""
    lines = [
        "[[source]]",
        f'id = "{source_id}"',
        f'name = "Test source {source_id}"',
        'authority = "Test Authority"',
        'authority_kind = "regulator"',
        'jurisdiction = "US"',
        f'language = "{language}"',
        f'kind = "{kind}"',
        f"url = {_toml_value(url)}",
    ]
    for table, keys in tables.items():
        lines.append(f"[source.{table}]")
        lines += [f"{key} = {_toml_value(value)}" for key, value in keys.items()]
    return "\n".join(lines) + "\n"


def write_sources(path: Path, *sources: str) -> Path:
    path.write_text("\n".join(sources), encoding="utf-8")
    return path


def crawl(sources: Path, database_url: str, home: Path, *args: str, **env: str) -> dict[str, dict]:
    """Run ``regwatch crawl`` in a subprocess; the summary rows by source id."""
    process = run_regwatch(
        ["crawl", "--sources", str(sources), "--format", "jsonl", *args],
        database_url,
        home,
        **env,
    )
    return {row["source_id"]: row for row in jsonl(process)}


def documents(database_url: str, source_id: str | None = None) -> list[Document]:
    with db.session_scope(database_url) as session:
        query = select(Document).order_by(col(Document.id))
        if source_id:
            query = query.where(Document.source_id == source_id)
        return list(session.exec(query).all())


def document(database_url: str, source_id: str, url: str) -> Document:
    found = [d for d in documents(database_url, source_id) if d.url == url]
    assert found, f"no document {url} for {source_id}"
    return found[0]


def versions(database_url: str, document_id: int) -> list[DocumentVersion]:
    with db.session_scope(database_url) as session:
        return list(
            session.exec(
                select(DocumentVersion)
                .where(DocumentVersion.document_id == document_id)
                .order_by(col(DocumentVersion.version_number))
            ).all()
        )


def version_count(database_url: str) -> int:
    with db.session_scope(database_url) as session:
        return len(session.exec(select(DocumentVersion.id)).all())


def latest_runs(database_url: str) -> dict[str, CrawlRun]:
    """The newest CrawlRun of each source."""
    with db.session_scope(database_url) as session:
        runs = session.exec(select(CrawlRun).order_by(col(CrawlRun.id))).all()
    return {run.source_id: run for run in runs}
