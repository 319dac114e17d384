"""Entities in a normative statement: retention periods, dates, citations, authorities."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from obligations.nlp.numbers import (
    EN_NUMBER_PATTERN,
    ZH_NUMBER_PATTERN,
    parse_en_number,
    parse_zh_number,
)

UNIT_DAYS = {"year": 365, "month": 30, "week": 7, "day": 1}
_ZH_UNIT_DAYS = {"年": 365, "个月": 30, "月": 30, "周": 7, "星期": 7, "日": 1, "天": 1}

_EN_RETENTION_VERB = re.compile(
    r"\b(retain|retained|retention|preserve|preserved|keep|kept|maintain|maintained|store|stored"
    r"|archive|archived|record[s]?\s+must\s+be\s+kept|hold)\b",
    re.IGNORECASE,
)
_EN_PERIOD = re.compile(
    rf"\b(?P<number>{EN_NUMBER_PATTERN})(?:\s*\(\s*(?P<digits>\d+)\s*\))?[- ]"
    r"(?P<unit>year|month|week|day)s?\b",
    re.IGNORECASE,
)
_ZH_RETENTION_VERB = re.compile(r"保存|留存|保管|存档|归档|保留")
_ZH_PERIOD = re.compile(rf"(?P<number>{ZH_NUMBER_PATTERN})\s*(?P<unit>个月|年|月|周|星期|日|天)")
# Deadlines look like periods but are not retention: "within 30 days", "五个工作日内".
_EN_DEADLINE = re.compile(r"\b(within|no\s+later\s+than|not\s+later\s+than|after|before)\s*$", re.I)

_EN_DATE = re.compile(
    r"\b(?:(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December)\s+\d{1,2},\s+\d{4}|\d{1,2}\s+(?:January|February|March|April|May|June|July"
    r"|August|September|October|November|December)\s+\d{4}|\d{4}-\d{2}-\d{2})\b"
)
_ZH_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")

_CITATIONS = re.compile(
    r"\b\d+\s+C\.?F\.?R\.?\s+(?:(?:Part|§+)\s*)?\d+(?:\.\d+[a-z]?(?:-\d+)?)?(?:\([a-z0-9]+\))*"
    r"|\b\d+\s+U\.?S\.?C\.?\s+§*\s*\d+[a-z]?(?:\([a-z0-9]+\))*"
    r"|\b\d+\s+NYCRR\s+\d+(?:\.\d+)?(?:\([a-z0-9]+\))*"
    r"|\b(?:FINRA|NASD|MSRB|NYSE|Nasdaq|SEC|CFTC|NFA)\s+Rules?\s+\d+[A-Za-z]?(?:[.-]\d+)?"
    r"(?:\([a-z0-9]+\))*"
    r"|\bRule\s+\d+[a-z]?-\d+(?:\([a-z0-9]+\))*"
    r"|\bRegulatory\s+Notice\s+\d{2}-\d{2}"
    r"|\bExecutive\s+Order\s+\d{5}"
    r"|\bRegulation\s+(?:S-P|S-ID|S-K|Best\s+Interest|[A-Z]{1,3})\b"
    r"|\bForm\s+(?:BD|ADV|U4|U5|CRS|8-K|10-K|X-17A-5)\b"
    r"|\bArticle\s+\d+(?:\(\d+\))?\s+of\s+(?:the\s+)?(?:GDPR|MiCA|Regulation\s+\(EU\)\s+\d{4}/\d+)"
    r"|第[一二三四五六七八九十百零〇\d]+条(?:第[一二三四五六七八九十\d]+款)?"
    r"|《[^》]{2,60}》",
)

AUTHORITIES: dict[str, tuple[str, ...]] = {
    "SEC": ("SEC", "Securities and Exchange Commission"),
    "FINRA": ("FINRA", "Financial Industry Regulatory Authority"),
    "OFAC": ("OFAC", "Office of Foreign Assets Control"),
    "FinCEN": ("FinCEN", "Financial Crimes Enforcement Network"),
    "BIS": ("Bureau of Industry and Security",),
    "CFTC": ("CFTC", "Commodity Futures Trading Commission"),
    "Federal Reserve": ("Federal Reserve", "Board of Governors of the Federal Reserve"),
    "NYDFS": ("NYDFS", "New York State Department of Financial Services"),
    "FCA": ("FCA", "Financial Conduct Authority"),
    "ESMA": ("ESMA", "European Securities and Markets Authority"),
    "EBA": ("European Banking Authority",),
    "HKMA": ("HKMA", "Hong Kong Monetary Authority", "香港金融管理局", "金管局"),
    "SFC": ("Securities and Futures Commission", "證監會", "香港證券及期貨事務監察委員會"),
    "MAS": ("Monetary Authority of Singapore",),
    "FATF": ("FATF", "Financial Action Task Force"),
    "中国人民银行": ("中国人民银行", "人民银行", "央行", "People's Bank of China", "PBOC"),
    "中国证监会": ("中国证监会", "证监会", "中国证券监督管理委员会", "CSRC"),
    "国家金融监督管理总局": ("国家金融监督管理总局", "金融监管总局", "银保监会"),
    "国家外汇管理局": ("国家外汇管理局", "外汇局"),
    "国家互联网信息办公室": ("国家互联网信息办公室", "国家网信办", "网信部门"),
    "商务部": ("商务部",),
    "中国互联网金融协会": ("中国互联网金融协会", "互金协会", "NIFA"),
    "中国银行业协会": ("中国银行业协会",),
    "中国证券业协会": ("中国证券业协会",),
    "微信公众平台": ("微信公众平台", "微信", "WeChat"),
}
_AUTHORITY_NAMES = {name: canonical for canonical, names in AUTHORITIES.items() for name in names}
# The lookahead on first characters lets the scan skip most positions quickly.
_AUTHORITY_PATTERN = re.compile(
    "(?=["
    + re.escape("".join(sorted({name[0] for name in _AUTHORITY_NAMES})))
    + "])(?:"
    + "|".join(
        (r"\b" + re.escape(name) + r"\b") if name.isascii() else re.escape(name)
        for name in sorted(_AUTHORITY_NAMES, key=len, reverse=True)
    )
    + ")"
)


def retention_period_days(sentence: str, language: str) -> int | None:
    """Days a record must be kept, when the sentence states a retention period."""
    if language == "zh":
        if not _ZH_RETENTION_VERB.search(sentence):
            return None
        for match in _ZH_PERIOD.finditer(sentence):
            following = sentence[match.end() : match.end() + 3]
            if "内" in following[:2] or "工作日" in sentence[match.start() : match.end() + 3]:
                continue
            number = parse_zh_number(match.group("number"))
            if number:
                return number * _ZH_UNIT_DAYS[match.group("unit")]
        return None
    if not _EN_RETENTION_VERB.search(sentence):
        return None
    for match in _EN_PERIOD.finditer(sentence):
        if _EN_DEADLINE.search(sentence[: match.start()]):
            continue
        value = parse_en_number(match.group("digits") or match.group("number"))
        if value:
            return round(value * UNIT_DAYS[match.group("unit").lower()])
    return None


@lru_cache(maxsize=4096)
def _parse_date(text: str) -> str | None:
    import dateparser

    parsed = dateparser.parse(text, languages=["en"], settings={"PREFER_DAY_OF_MONTH": "first"})
    return parsed.date().isoformat() if parsed else None


def dates(sentence: str) -> list[str]:
    """ISO dates written in the sentence."""
    found = [iso for iso in (_parse_date(m.group(0)) for m in _EN_DATE.finditer(sentence)) if iso]
    for match in _ZH_DATE.finditer(sentence):
        try:
            found.append(date(*(int(part) for part in match.groups())).isoformat())
        except ValueError:
            continue
    return list(dict.fromkeys(found))


def citations(sentence: str) -> list[str]:
    """Rule, statute and notice references in the sentence."""
    return list(dict.fromkeys(m.group(0).strip() for m in _CITATIONS.finditer(sentence)))


def authorities(sentence: str) -> list[str]:
    """Canonical names of the regulators, associations and platforms named."""
    found = {_AUTHORITY_NAMES[match.group(0)] for match in _AUTHORITY_PATTERN.finditer(sentence)}
    return [canonical for canonical in AUTHORITIES if canonical in found]


def extract_entities(sentence: str, language: str) -> dict:
    """All entities of one statement, in the JSONL shape of ``regwatch extract``."""
    return {
        "dates": dates(sentence),
        "retention_period_days": retention_period_days(sentence, language),
        "citations": citations(sentence),
        "authorities": authorities(sentence),
    }
