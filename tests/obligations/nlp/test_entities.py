"""Entities: retention periods (property-tested), dates, citations and authorities."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from obligations.nlp.entities import extract_entities, retention_period_days

_ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
_ONES += " fifteen sixteen seventeen eighteen nineteen"
EN_ONES = _ONES.split()
EN_TENS = {2: "twenty", 3: "thirty", 4: "forty", 5: "fifty", 6: "sixty", 7: "seventy",
           8: "eighty", 9: "ninety"}  # fmt: skip
ZH_DIGITS = "零一二三四五六七八九"
EN_UNITS = {"year": 365, "month": 30, "day": 1}
ZH_UNITS = {"年": 365, "个月": 30, "天": 1, "日": 1}


def en_words(number: int) -> str:
    if number < 20:
        return EN_ONES[number]
    tens, ones = divmod(number, 10)
    return EN_TENS[tens] + (f"-{EN_ONES[ones]}" if ones else "")


def zh_numeral(number: int) -> str:
    hundreds, rest = divmod(number, 100)
    tens, ones = divmod(rest, 10)
    text = f"{ZH_DIGITS[hundreds]}百" if hundreds else ""
    if tens:
        text += ("" if tens == 1 and not hundreds else ZH_DIGITS[tens]) + "十"
    elif hundreds and ones:
        text += "零"
    return text + (ZH_DIGITS[ones] if ones else "")


@settings(max_examples=60, deadline=None)
@given(
    number=st.integers(min_value=1, max_value=99),
    unit=st.sampled_from(sorted(EN_UNITS)),
    spelled=st.booleans(),
    lead=st.sampled_from(["for", "for not less than", "for at least", "for a period of"]),
    verb=st.sampled_from(["retain", "preserve", "keep", "maintain"]),
)
def test_english_retention_period_is_number_times_unit_days(
    number: int, unit: str, spelled: bool, lead: str, verb: str
) -> None:
    amount = en_words(number) if spelled else str(number)
    plural = "s" if number != 1 else ""
    sentence = f"Firms must {verb} these records {lead} {amount} {unit}{plural}."
    assert retention_period_days(sentence, "en") == number * EN_UNITS[unit]


@settings(max_examples=60, deadline=None)
@given(
    number=st.integers(min_value=1, max_value=999),
    unit=st.sampled_from(sorted(ZH_UNITS)),
    digits=st.booleans(),
    lead=st.sampled_from(["不少于", "不得少于", "至少", ""]),
    verb=st.sampled_from(["保存", "留存", "保管"]),
)
def test_chinese_retention_period_is_number_times_unit_days(
    number: int, unit: str, digits: bool, lead: str, verb: str
) -> None:
    amount = str(number) if digits else zh_numeral(number)
    sentence = f"机构应当{verb}相关记录，期限{lead}{amount}{unit}。"
    assert retention_period_days(sentence, "zh") == number * ZH_UNITS[unit]


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200), st.sampled_from(["en", "zh"]))
def test_retention_parser_never_fails_and_is_positive_or_none(text: str, language: str) -> None:
    days = retention_period_days(text, language)
    assert days is None or days > 0


@pytest.mark.parametrize(
    ("sentence", "language", "days"),
    [
        ("Member firms must preserve messages for not less than three years.", "en", 1095),
        ("Records must be kept for 6 years.", "en", 2190),
        ("Keep the access logs for at least 90 days.", "en", 90),
        ("Retain each ledger for eighteen (18) months.", "en", 540),
        ("File the report within 30 days.", "en", None),
        ("业务记录应当保存五年。", "zh", 1825),
        ("电话录音资料的保存期限不少于六个月。", "zh", 180),
        ("应当在五个工作日内报告。", "zh", None),
    ],
)
def test_retention_examples(sentence: str, language: str, days: int | None) -> None:
    assert retention_period_days(sentence, language) == days


def test_citations_authorities_and_dates() -> None:
    english = extract_entities(
        "Under 17 CFR 240.17a-4(b)(4), FINRA Rule 4511 and Regulatory Notice 17-18, the SEC "
        "and FINRA expect compliance from January 1, 2026; OFAC guidance of 2025-06-30 applies.",
        "en",
    )
    assert english["citations"][:3] == [
        "17 CFR 240.17a-4(b)(4)",
        "FINRA Rule 4511",
        "Regulatory Notice 17-18",
    ]
    assert english["authorities"] == ["SEC", "FINRA", "OFAC"]
    assert english["dates"] == ["2026-01-01", "2025-06-30"]
    chinese = extract_entities(
        "根据《反洗钱法》第二十条，中国人民银行、中国互联网金融协会自2026年3月1日起实施。", "zh"
    )
    assert chinese["citations"] == ["第二十条", "《反洗钱法》"] or set(chinese["citations"]) == {
        "第二十条",
        "《反洗钱法》",
    }
    assert chinese["authorities"] == ["中国人民银行", "中国互联网金融协会"]
    assert chinese["dates"] == ["2026-03-01"]
    assert extract_entities("Nothing here.", "en") == {
        "dates": [],
        "retention_period_days": None,
        "citations": [],
        "authorities": [],
    }
