"""The sources TOML file: parsing and validation before anything runs.

A bad file is refused whole with the file, source id and key named; nothing is
written to the database.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from obligations.errors import ConfigError

Selector = Annotated[str, Field(min_length=1)]
SelectorList = Selector | list[Selector]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ListingConfig(_Strict):
    """``[source.listing]``: an HTML page of links to documents."""

    item: SelectorList
    link: SelectorList
    title: SelectorList | None = None
    date: SelectorList | None = None
    next_page: SelectorList | None = None
    max_pages: int = Field(default=1, ge=1, le=1000)


class ApiConfig(_Strict):
    """``[source.api]``: a JSON listing."""

    items: str
    next_page: str | None = None
    url: str = "url"
    title: str = "title"
    date: str | None = None
    text: str | None = None
    max_pages: int = Field(default=5, ge=1, le=1000)


class DetailConfig(_Strict):
    """``[source.detail]``: how to read one document page."""

    content: Selector | None = None
    title: Selector | None = None
    date: Selector | None = None
    date_regex: str | None = None
    blocked: Selector | None = None

    @field_validator("date_regex")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                if re.compile(value).groups < 1:
                    raise ValueError("needs one capturing group")
            except re.error as exc:
                raise ValueError(f"not a valid regex: {exc}") from None
        return value


class SourceConfig(_Strict):
    """One ``[[source]]`` table."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9-]+$", max_length=100)]
    name: str
    authority: str
    authority_kind: Literal["regulator", "industry_association", "platform", "news"]
    jurisdiction: Annotated[str, Field(pattern=r"^([A-Z]{2}|EU|INTL)$")]
    language: Annotated[str, Field(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
    kind: Literal["feed", "listing", "api", "page"]
    url: Annotated[str, Field(pattern=r"^https?://\S+$")]
    schedule: str | None = None
    enabled: bool = True
    listing: ListingConfig | None = None
    api: ApiConfig | None = None
    detail: DetailConfig | None = None

    @field_validator("schedule")
    @classmethod
    def _valid_cron(cls, value: str | None) -> str | None:
        if value is not None:
            from obligations.cron import cron_trigger

            try:
                cron_trigger(value)
            except ValueError as exc:
                raise ValueError(f"not a valid cron expression: {exc}") from None
        return value

    def definition(self) -> dict[str, Any]:
        """A plain dict for the database."""
        return self.model_dump(mode="json", exclude_none=True)


def as_list(selectors: SelectorList | None) -> list[str]:
    """A selector or fallback list as a list."""
    if selectors is None:
        return []
    return [selectors] if isinstance(selectors, str) else list(selectors)


def _check_selectors(config: SourceConfig) -> tuple[str, str] | None:
    """The first (key, reason) whose CSS selector does not parse, if any."""
    from parsel import Selector as Page

    page = Page(text="<html><body></body></html>")
    candidates: list[tuple[str, str]] = []
    if config.listing:
        for key in ("item", "link", "title", "date", "next_page"):
            candidates += [(f"listing.{key}", s) for s in as_list(getattr(config.listing, key))]
    if config.detail:
        for key in ("content", "title", "date", "blocked"):
            value = getattr(config.detail, key)
            if value:
                candidates.append((f"detail.{key}", value))
    for key, selector in candidates:
        try:
            page.css(selector)
        except Exception as exc:  # cssselect raises several types
            return key, f"bad CSS selector {selector!r}: {exc}"
    return None


def _source_label(raw: dict[str, Any], index: int) -> str:
    source_id = raw.get("id") if isinstance(raw, dict) else None
    return f"source {source_id!r}" if source_id else f"source #{index + 1}"


def _format_error(error: dict[str, Any]) -> str:
    location = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        return f"unknown key {location!r}"
    if error["type"] == "missing":
        return f"missing key {location!r}"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"key {location!r}: {message}"


def parse_sources(text: str, filename: str = "<sources>") -> list[SourceConfig]:
    """Validate a sources TOML document, raising ConfigError on the first problem."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{filename}: not valid TOML: {exc}") from None
    unknown = set(document) - {"source"}
    if unknown:
        raise ConfigError(f"{filename}: unknown top-level key {sorted(unknown)[0]!r}")
    raw_sources = document.get("source", [])
    if not isinstance(raw_sources, list) or not raw_sources:
        raise ConfigError(f"{filename}: no [[source]] tables")
    configs: list[SourceConfig] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_sources):
        label = _source_label(raw, index)
        try:
            config = SourceConfig.model_validate(raw)
        except ValidationError as exc:
            raise ConfigError(f"{filename}: {label}: {_format_error(exc.errors()[0])}") from None
        required = {"listing": config.listing, "api": config.api}.get(config.kind, True)
        if required is None:
            raise ConfigError(
                f"{filename}: {label}: kind {config.kind!r} needs [source.{config.kind}]"
            )
        problem = _check_selectors(config)
        if problem:
            raise ConfigError(f"{filename}: {label}: key {problem[0]!r}: {problem[1]}")
        if config.id in seen:
            raise ConfigError(f"{filename}: {label}: duplicate id {config.id!r}")
        seen.add(config.id)
        configs.append(config)
    return configs


def load_sources(path: Path, only: list[str] | None = None) -> list[SourceConfig]:
    """Read and validate a sources file (or a folder of them); keep ``only`` these ids."""
    files = sorted(path.glob("*.toml")) if path.is_dir() else [path]
    if not files:
        raise ConfigError(f"{path}: no sources files")
    configs: list[SourceConfig] = []
    for file in files:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{file}: cannot read: {exc}") from None
        configs += parse_sources(text, str(file))
    ids = [c.id for c in configs]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ConfigError(f"{path}: source {duplicates[0]!r}: duplicate id across files")
    if only:
        missing = [source_id for source_id in only if source_id not in ids]
        if missing:
            raise ConfigError(f"{path}: no source with id {missing[0]!r}")
        configs = [c for c in configs if c.id in only]
    return configs
