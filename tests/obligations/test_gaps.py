"""Gap analysis: unmapped and partially covered obligations, grouped and listed."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import Session

from obligations.errors import ConfigError
from obligations.exports import write_table
from obligations.models import Control, Obligation
from obligations.services.gaps import GapFilter, gap_summary, list_gaps
from obligations.services.mapping import map_control, refresh_coverage
from tests.helpers.obligations import add_obligation, add_source


@pytest.fixture
def register(session: Session) -> dict[str, Obligation]:
    for control_id in ("C-1", "C-2"):
        session.add(Control(id=control_id, title=control_id, topics=["sanctions"]))
    us, cn = add_source(session, "ofac", "US"), add_source(session, "pbc", "CN")
    made = {
        "full": add_obligation(session, us, "Screen daily.", ["sanctions"], owner="ann"),
        "partial": add_obligation(session, us, "Freeze.", ["sanctions", "reporting"], owner="ann"),
        "rejected": add_obligation(session, us, "Report.", ["reporting"], owner="bob"),
        "bare": add_obligation(session, cn, "保存记录。", ["record_retention"]),
        "partial_cn": add_obligation(session, cn, "筛查。", ["sanctions"], owner="bob"),
        "not_applicable": add_obligation(
            session, cn, "N/A.", ["sanctions"], status="not_applicable"
        ),
        "superseded": add_obligation(session, us, "Old.", ["sanctions"], status="superseded"),
    }
    map_control(session, None, made["full"].id, "C-1", "partial")
    map_control(session, None, made["full"].id, "C-2", "full")
    map_control(session, None, made["partial"].id, "C-1", "partial")
    map_control(session, None, made["rejected"].id, "C-1", accept=False)
    map_control(session, None, made["partial_cn"].id, "C-2", "partial")
    return made


def test_summary_by_each_dimension(session: Session, register: dict[str, Obligation]) -> None:
    assert gap_summary(session, "topic") == [
        {"topic": "reporting", "unmapped": 1, "partial": 1, "gaps": 2},
        {"topic": "sanctions", "unmapped": 0, "partial": 2, "gaps": 2},
        {"topic": "record_retention", "unmapped": 1, "partial": 0, "gaps": 1},
    ]
    assert gap_summary(session, "source") == [
        {"source_id": "ofac", "unmapped": 1, "partial": 1, "gaps": 2},
        {"source_id": "pbc", "unmapped": 1, "partial": 1, "gaps": 2},
    ]
    assert gap_summary(session, "jurisdiction") == [
        {"jurisdiction": "CN", "unmapped": 1, "partial": 1, "gaps": 2},
        {"jurisdiction": "US", "unmapped": 1, "partial": 1, "gaps": 2},
    ]
    assert gap_summary(session, "owner") == [
        {"owner": "bob", "unmapped": 1, "partial": 1, "gaps": 2},
        {"owner": "ann", "unmapped": 0, "partial": 1, "gaps": 1},
        {"owner": None, "unmapped": 1, "partial": 0, "gaps": 1},
    ]
    crosstab = gap_summary(session, ("topic", "owner"))
    assert {
        "topic": "sanctions",
        "owner": "bob",
        "unmapped": 0,
        "partial": 1,
        "gaps": 1,
    } in crosstab
    assert sum(row["gaps"] for row in crosstab) == 5


def test_filters(session: Session, register: dict[str, Obligation]) -> None:
    assert gap_summary(session, "topic", GapFilter(kind="unmapped")) == [
        {"topic": "record_retention", "unmapped": 1, "partial": 0, "gaps": 1},
        {"topic": "reporting", "unmapped": 1, "partial": 0, "gaps": 1},
    ]
    assert gap_summary(session, "owner", GapFilter(jurisdiction="US", topic="sanctions")) == [
        {"owner": "ann", "unmapped": 0, "partial": 1, "gaps": 1}
    ]
    rows = list_gaps(session)
    assert [(row["id"], row["gap"]) for row in rows] == [
        (register["partial_cn"].id, "partial"),
        (register["bare"].id, "unmapped"),
        (register["rejected"].id, "unmapped"),
        (register["partial"].id, "partial"),
    ]
    assert rows[0]["controls"] == ["C-2"] and rows[0]["jurisdiction"] == "CN"
    assert rows[3]["topics"] == ["reporting", "sanctions"]
    only = list_gaps(session, GapFilter(source_id="pbc", kind="partial"))
    assert [row["id"] for row in only] == [register["partial_cn"].id]
    with pytest.raises(ConfigError, match="cannot group gaps by 'colour'"):
        gap_summary(session, "colour")
    with pytest.raises(ConfigError, match="gap kind"):
        list_gaps(session, GapFilter(kind="some"))


def test_coverage_follows_decisions(session: Session, register: dict[str, Obligation]) -> None:
    partial = register["partial"]
    assert partial.coverage == "partial"
    map_control(session, None, partial.id, "C-2", "full")
    assert partial.coverage == "full"
    map_control(session, None, partial.id, "C-2", accept=False)
    assert partial.coverage == "partial"
    map_control(session, None, partial.id, "C-1", accept=False)
    assert partial.coverage == "none"
    partial.coverage = "full"  # a stale value is repaired by a full refresh
    session.add(partial)
    session.flush()
    refresh_coverage(session)
    assert session.get(Obligation, partial.id).coverage == "none"
    assert register["full"].coverage == "full"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export(session: Session, register, tmp_path: Path, suffix: str) -> None:  # type: ignore[no-untyped-def]
    rows = gap_summary(session, "topic")
    path = tmp_path / f"gaps{suffix}"
    assert write_table(path, ["topic", "unmapped", "partial", "gaps"], rows) == 3
    if suffix == ".csv":
        assert path.read_text().splitlines()[:2] == [
            "topic,unmapped,partial,gaps",
            "reporting,1,1,2",
        ]
    else:
        sheet = load_workbook(path).worksheets[0]
        assert [cell.value for cell in sheet[2]] == ["reporting", 1, 1, 2]
