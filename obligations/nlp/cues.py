"""Rule cues for modality, per language: the rule half of the modality decision.

Each rule is (modality, regex). The first modality whose cue matches wins, in the
order prohibition → obligation → recommendation → permission, so "must not" beats
"must" and "must … may" is an obligation. ``NOT_NORMATIVE`` patterns (definitions,
purpose clauses, possibility "may be") veto a sentence before the cues are tried.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_EN_RULES: list[tuple[str, str]] = [
    (
        "prohibition",
        r"\b(must|shall|may|will|should|can)\s+not\b|\bmustn't|\bshan't|\bcannot\b"
        r"|\bno\s+(\w+\s+){0,3}(shall|may|must)\b|\b(is|are|be)\s+(strictly\s+)?prohibited\b"
        r"|\bprohibited\s+from\b|\b(is|are)\s+not\s+(permitted|allowed|authori[sz]ed)\b"
        r"|\b(is|are)\s+forbidden\b|\bmust\s+never\b|\bshall\s+in\s+no\s+case\b"
        r"|\bnot\s+(be\s+)?(permitted|allowed)\s+to\b",
    ),
    (
        "obligation",
        r"\b(must|shall)\b|\b(is|are|be|was|were)\s+(also\s+)?required\s+to\b"
        r"|\brequired\s+to\b|\b(has|have)\s+to\b|\b(is|are)\s+obliged\s+to\b"
        r"|\b(is|are)\s+responsible\s+for\b|\bneeds?\s+to\b|\bis\s+obligated\b"
        r"|\bwill\s+(be\s+)?(restricted|banned|suspended|removed|blocked|closed|terminated"
        r"|ordered|dealt\s+with|required)\b|\bwill\s+order\b|\brequires?\s+(that|firms|each|all)\b",
    ),
    (
        "recommendation",
        r"\bshould\b|\b(is|are)\s+(strongly\s+)?encouraged\b|\b(is|are)\s+expected\s+to\b"
        r"|\b(we|FINRA|the\s+\w+)\s+recommends?\b|\brecommended\b|\bit\s+is\s+advisable\b"
        r"|\bbest\s+practice\b|\bought\s+to\b",
    ),
    (
        "permission",
        r"(?<!\d\s)\bmay\b(?!\s+\d)(?!\s+(be|have|not|result|lead|cause|face|incur|affect|also\s+be|fluctuate"
        r"|lose|suffer|vary|include|differ|change))"
        r"|\b(is|are)\s+(permitted|allowed|entitled|authori[sz]ed)\s+to\b|\bhas\s+the\s+right\b"
        r"|\bhave\s+the\s+right\b|\bat\s+(its|their)\s+(sole\s+)?discretion\b",
    ),
]
_EN_NOT_NORMATIVE = (
    r"\b(means|shall\s+mean|is\s+defined\s+as|refers\s+to|has\s+the\s+meaning)\b"
    r"|\?\s*$|^\s*(section|part|chapter|article|appendix|table\s+of\s+contents)\b[^.]{0,60}$"
)

_ZH_RULES: list[tuple[str, str]] = [
    (
        "prohibition",
        r"不得(?![少短低][于於])|禁止|[严嚴]禁|不[准準]|不[应應](?![少短低][于於])|不可以|不能|杜[绝絕]"
        r"|不允[许許]",
    ),
    (
        "obligation",
        r"[应應]當|[应應]当|必[须須]|[须須](?!知)|(?<![相响對对适適供反理])[应應](?![用急对對运運])|[负負]责|有[义義]务"
        r"|不(得|应|應)?[少短低][于於]|(将|予以).{0,8}"
        r"(处理|封禁|封号|限制|关闭|下架|删除|清理|整改)|责令|要求.{0,10}(履行|建立|落实)",
    ),
    (
        "recommendation",
        r"鼓[励勵]|倡[导導]|建[议議]|(?<![便适適合])宜|提倡|呼[吁籲]|提醒|推[动動]",
    ),
    (
        "permission",
        r"可以|有[权權]|(?<![许許认認不])可(?![能靠疑信行见見控])|允[许許]|准予",
    ),
]
_ZH_NOT_NORMATIVE = (
    r"(是指|所称|系指|指的是)|^为了?.{0,80}(制定|特制定)本|自.{0,20}起施行|[？?]\s*$"
    r"|^\s*第[一二三四五六七八九十百零\d]+[章节]\s*\S{0,20}$"
)


@dataclass(frozen=True)
class CueDecision:
    """The rule verdict for one sentence."""

    modality: str | None
    cue: str | None
    vetoed: bool


_COMPILED = {
    "en": (
        [(m, re.compile(p, re.IGNORECASE)) for m, p in _EN_RULES],
        re.compile(_EN_NOT_NORMATIVE, re.IGNORECASE),
    ),
    "zh": ([(m, re.compile(p)) for m, p in _ZH_RULES], re.compile(_ZH_NOT_NORMATIVE)),
}


def decide_by_cues(sentence: str, language: str) -> CueDecision:
    """The modality the cue rules give a sentence, or None when it is not normative."""
    rules, not_normative = _COMPILED["zh" if language == "zh" else "en"]
    if not_normative.search(sentence):
        return CueDecision(None, None, True)
    for modality, pattern in rules:
        match = pattern.search(sentence)
        if match:
            return CueDecision(modality, match.group(0), False)
    return CueDecision(None, None, False)
