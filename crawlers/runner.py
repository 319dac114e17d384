"""Running a crawl: one Scrapy process for the selected sources, one CrawlRun each.

A Twisted reactor cannot be restarted, so a process runs one crawl; the scheduler and
the dashboard start ``regwatch crawl`` as a new process each time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from scrapy.crawler import CrawlerProcess
from sqlalchemy.exc import IntegrityError

from crawlers.settings import scrapy_settings
from crawlers.sources import SourceConfig
from crawlers.spiders import SPIDERS
from obligations.db import session_scope
from obligations.services.documents import (
    document_validators,
    documents_to_recheck,
    latest_versions_fetched_since,
)
from obligations.services.extraction import extract_for_version
from obligations.services.sources import (
    finish_run,
    interrupt_stale_runs_since,
    save_http_validators,
    start_run,
    upsert_sources,
)
from obligations.settings import get_settings

logger = logging.getLogger(__name__)


@dataclass
class SourceOutcome:
    """What one source's crawl did."""

    source_id: str
    run_id: int
    status: str
    error: str | None
    stats: dict[str, int] = field(default_factory=dict)
    new_version_ids: list[int] = field(default_factory=list)
    obligations_added: int = 0
    obligations_amended: int = 0
    obligations_removed: int = 0


def _validators(source_id: str, listing_validators: dict) -> dict:
    with session_scope() as session:
        known = document_validators(session, source_id)
    for url, value in (listing_validators or {}).items():
        known[url] = (value.get("etag"), value.get("last_modified"))
    return known


def _counters(stats: dict) -> dict[str, int]:
    exceptions = sum(v for k, v in stats.items() if k.startswith("spider_exceptions/"))
    return {
        "requests": int(stats.get("downloader/request_count", 0)),
        "not_modified": int(stats.get("regwatch/not_modified", 0)),
        "new_documents": int(stats.get("regwatch/new_documents", 0)),
        "new_versions": int(stats.get("regwatch/new_versions", 0)),
        "unchanged": int(stats.get("regwatch/unchanged", 0)),
        "errors": int(stats.get("regwatch/errors", 0)) + int(exceptions),
    }


def _open_runs(
    configs: list[SourceConfig], trigger: str
) -> tuple[dict[str, int], dict[str, dict], dict[str, list[str]], dict[str, datetime]]:
    """Upsert the sources and open a CrawlRun each.

    Another worker may create the same new source at the same moment; its insert
    wins and this one retries against the row it made.
    """
    for attempt in range(3):
        try:
            with session_scope() as session:
                sources = upsert_sources(session, [c.definition() for c in configs])
                stale_since = interrupt_stale_runs_since(session, [c.id for c in configs])
                runs = {c.id: start_run(session, c.id, trigger).id for c in configs}
                validators = {s.id: dict(s.http_validators or {}) for s in sources}
                recheck = {c.id: documents_to_recheck(session, c.id) for c in configs}
            return runs, validators, recheck, stale_since
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _recover_extraction(stale_since: dict[str, datetime]) -> int:
    """Extract the versions an interrupted run stored but may not have extracted.

    Extraction is idempotent (an unchanged statement keeps its obligation), so doing it
    again for a version that was extracted before its process died changes nothing.
    """
    count = 0
    for source_id, since in stale_since.items():
        with session_scope() as session:
            version_ids = latest_versions_fetched_since(session, source_id, since)
        for version_id in version_ids:
            with session_scope() as session:
                extract_for_version(session, version_id)
            count += 1
    if count:
        logger.warning("extracted %d version(s) left by an interrupted crawl", count)
    return count


def run_crawl(
    configs: list[SourceConfig],
    *,
    trigger: str = "manual",
    rewrite_to: str | None = None,
    extract: bool = True,
    job: str | None = None,
    redis_url: str | None = None,
) -> list[SourceOutcome]:
    """Crawl the given sources now, record a CrawlRun each, extract new versions.

    With a ``job`` this process is one of several workers sharing a Redis queue
    (see ``crawlers.distributed``).
    """
    settings = scrapy_settings(get_settings(), rewrite_to, job, redis_url)
    if job:
        from crawlers.distributed import check_redis

        check_redis(settings["REDIS_URL"])
    runs, listing_validators, recheck, stale_since = _open_runs(configs, trigger)
    if extract:
        _recover_extraction(stale_since)

    process = CrawlerProcess(settings)
    crawlers = []
    for config in configs:
        crawler = process.create_crawler(SPIDERS[config.kind])
        process.crawl(
            crawler,
            source=config,
            recheck_urls=recheck[config.id],
            validators=_validators(config.id, listing_validators[config.id]),
        )
        crawlers.append((config, crawler))
    crash: str | None = None
    try:
        process.start()
    except Exception as exc:  # the engine itself failed: every run is failed
        crash = f"crawler crashed: {type(exc).__name__}: {exc}"
        logger.exception("crawl process failed")

    # A run is finished only after its versions are extracted: a process killed before
    # that leaves the run ``running``, and the next crawl extracts them (see above).
    outcomes = []
    for config, crawler in crawlers:
        spider = crawler.spider
        stats = _counters(crawler.stats.get_stats() if crawler.stats else {})
        status, error = "ok", None
        if crash:
            status, error = "failed", crash
        elif spider is not None and spider.failure:
            status, error = spider.failure
        elif stats["errors"]:
            messages = crawler.stats.get_value("regwatch/error_messages") or []
            error = "; ".join(messages[:3]) or None
        outcome = SourceOutcome(
            source_id=config.id,
            run_id=runs[config.id],
            status=status,
            error=error,
            stats=stats,
            new_version_ids=list(spider.new_version_ids) if spider else [],
        )
        if extract:
            for version_id in outcome.new_version_ids:
                with session_scope() as session:
                    change = extract_for_version(session, version_id)
                outcome.obligations_added += len(change.added)
                outcome.obligations_amended += len(change.amended)
                outcome.obligations_removed += len(change.removed)
        with session_scope() as session:
            finish_run(session, runs[config.id], status, error, stats)
            if status == "ok" and not stats["errors"] and spider is not None:
                save_http_validators(session, config.id, spider.listing_validators)
        outcomes.append(outcome)
    return outcomes
