"""The template identities, each on cells built by hand: holds, breaks, and skips blanks."""

from __future__ import annotations

import pytest

from report import rules
from report.template import APPEAL_COLUMNS, APPLICANT_COLUMNS, OUTCOME_ROWS

PARTIES = APPLICANT_COLUMNS[:-1]


def app_row(row: str, *parties: int) -> dict:
    values = [*parties, sum(parties)]
    return {f"applications.{row}.{c}": v for c, v in zip(APPLICANT_COLUMNS, values, strict=True)}


def consistent_2019() -> dict:
    cells: dict = {}
    cells |= app_row("new_received", 5, 1, 0, 0, 0, 0)
    cells |= app_row("carried_over", 1, 0, 0, 0, 0, 0)
    for row in OUTCOME_ROWS:
        if not row.startswith("other."):
            cells |= app_row(row, 0, 0, 0, 0, 0, 0)
    cells |= app_row("granted", 3, 1, 0, 0, 0, 0)
    cells |= app_row("unavailable.not_held", 2, 0, 0, 0, 0, 0)
    cells |= app_row("total", 5, 1, 0, 0, 0, 0)
    cells |= app_row("carried_forward", 1, 0, 0, 0, 0, 0)
    return cells


def test_consistent_report_has_no_arithmetic_findings() -> None:
    cells = consistent_2019()
    assert rules.applications_balance(cells) == []
    assert rules.applications_outcome_sum(cells) == []
    assert rules.applications_column_total(cells) == []


def test_balance_names_the_column_and_the_numbers() -> None:
    cells = consistent_2019() | {
        "applications.carried_forward.natural_person": 3,
        "applications.carried_forward.total": 3,
    }
    found = rules.applications_balance(cells)
    assert [f["evidence"]["column"] for f in found] == ["natural_person", "total"]
    first = found[0]
    assert first["rule"] == "applications.balance" and first["severity"] == "error"
    assert (first["evidence"]["expected"], first["evidence"]["found"]) == (6, 8)
    assert first["evidence"]["cells"] == {
        "new_received": 5,
        "carried_over": 1,
        "total": 5,
        "carried_forward": 3,
    }


def test_outcome_sum_reports_the_rows_that_hold_numbers() -> None:
    cells = consistent_2019() | {
        "applications.granted.natural_person": 2,
        "applications.granted.total": 3,
    }
    found = rules.applications_outcome_sum(cells)
    assert [
        (f["evidence"]["column"], f["evidence"]["expected"], f["evidence"]["found"]) for f in found
    ] == [("natural_person", 4, 5), ("total", 5, 6)]
    assert found[0]["evidence"]["nonzero_rows"] == {"granted": 2, "unavailable.not_held": 2}


def test_outcome_sum_uses_the_three_2021_other_rows() -> None:
    cells = {
        k: v for k, v in consistent_2019().items() if k.rsplit(".", 1)[0] != "applications.other"
    }
    for row in ("other.no_correction", "other.unpaid_fee", "other.other"):
        cells |= app_row(row, 0, 0, 0, 0, 0, 0)
    assert rules.applications_outcome_sum(cells) == []
    cells |= app_row("other.unpaid_fee", 1, 0, 0, 0, 0, 0)
    assert [f["evidence"]["column"] for f in rules.applications_outcome_sum(cells)] == [
        "natural_person",
        "total",
    ]


def test_outcome_sum_is_skipped_when_rows_are_absent() -> None:
    cells = consistent_2019()
    for col in APPLICANT_COLUMNS:
        del cells[f"applications.denied.inquiry.{col}"]
    cells["applications.total.total"] = 99
    assert rules.applications_outcome_sum(cells) == []


def test_column_total_per_row() -> None:
    cells = consistent_2019() | {"applications.new_received.total": 7}
    found = rules.applications_column_total(cells)
    assert [
        (f["evidence"]["row"], f["evidence"]["expected"], f["evidence"]["found"]) for f in found
    ] == [("applications.new_received", 6, 7)]


@pytest.mark.parametrize(
    "check",
    [
        rules.applications_balance,
        rules.applications_outcome_sum,
        rules.applications_column_total,
    ],
)
def test_a_blank_cell_is_never_counted_as_zero(check) -> None:
    cells = consistent_2019() | {
        "applications.new_received.commercial": None,
        "applications.granted.commercial": None,
        "applications.total.commercial": None,
        "applications.new_received.total": 99,
    }
    found = check(cells)
    assert all(f["evidence"].get("column") != "commercial" for f in found)
    assert all("commercial" not in str(f["evidence"].get("key")) for f in found)


def test_appeals_group_total() -> None:
    cells = {}
    for group, values in (
        ("review", [1, 0, 0, 1, 2]),
        ("litigation_direct", [0, 1, 0, 0, 1]),
        ("litigation_after_review", [0, 0, 0, 0, 1]),
    ):
        cells |= {f"appeals.{group}.{c}": v for c, v in zip(APPEAL_COLUMNS, values, strict=True)}
    found = rules.appeals_group_total(cells)
    assert [
        (f["evidence"]["group"], f["evidence"]["expected"], f["evidence"]["found"]) for f in found
    ] == [("litigation_after_review", 0, 1)]
    cells["appeals.litigation_after_review.pending"] = None
    assert rules.appeals_group_total(cells) == []


def test_narrative_against_table() -> None:
    cells = {"applications.new_received.total": 18}
    assert rules.narrative_matches_table(cells, {"applications_received": 18}) == []
    found = rules.narrative_matches_table(cells, {"applications_received": 21})
    assert [(f["rule"], f["evidence"]["stated"], f["evidence"]["table"]) for f in found] == [
        ("narrative.matches_table", 21, 18)
    ]
    assert (
        rules.narrative_matches_table(
            {"applications.new_received.total": None}, {"applications_received": 21}
        )
        == []
    )


def test_narrative_part_sums() -> None:
    found = rules.narrative_part_sums(
        [{"total": 113, "parts": [22, 180], "unit": "件", "sentence": "共计113件,其中22件,180件"}]
    )
    assert found[0]["rule"] == "narrative.part_sum"
    assert "202" in found[0]["message"]


def layout(**over) -> dict:
    base = {
        "template": "2021",
        "year": 2022,
        "rows": [],
        "part_sums": [],
        "missing_sections": [],
        "missing_tables": [],
        "missing_rows": {},
        "article_refs": [],
    }
    return base | over


def test_template_mismatch_both_ways_and_legacy() -> None:
    assert rules.template_checks(layout()) == []
    assert [f["evidence"]["expected"] for f in rules.template_checks(layout(template="2019"))] == [
        "2021"
    ]
    assert [
        f["evidence"]["expected"] for f in rules.template_checks(layout(template="2021", year=2020))
    ] == ["2019"]
    legacy = rules.template_checks(layout(template="legacy", year=2020))
    assert [(f["rule"], f["evidence"]["found"]) for f in legacy] == [
        ("template.mismatch", "legacy")
    ]
    assert rules.template_checks(layout(template="legacy", year=2018)) == []


def test_template_structure_findings() -> None:
    found = rules.template_checks(
        layout(
            missing_sections=["其他需要报告的事项"],
            missing_tables=["appeals"],
            missing_rows={"applications": ["applications.denied.inquiry"], "proactive": []},
            article_refs=[{"found": "第二十一条第(一)项", "expected": "第二十条第(一)项"}],
        )
    )
    assert [(f["rule"], f["evidence"]["key"]) for f in found] == [
        ("template.missing_section", "其他需要报告的事项"),
        ("template.missing_table", "appeals"),
        ("template.missing_row", "applications"),
        ("template.article_reference", "第二十一条第(一)项"),
    ]


def test_blank_cells_grouped_per_table() -> None:
    rows = [
        {
            "row": "proactive.penalty",
            "label": "行政处罚",
            "status": "blank",
            "expected": 3,
            "found": [0, 0],
            "blank": ["proactive.penalty.decisions"],
        },
        {
            "row": "applications.carried_forward",
            "label": "四、结转",
            "status": "short",
            "expected": 7,
            "found": [0] * 6,
            "blank": [f"applications.carried_forward.{c}" for c in APPLICANT_COLUMNS],
        },
        {
            "row": "applications.granted",
            "label": "(一)予以公开",
            "status": "ok",
            "expected": 7,
            "found": [0] * 7,
            "blank": [],
        },
        {
            "row": "applications.total",
            "label": "(七)总计",
            "status": "unreadable",
            "expected": 7,
            "found": [1] * 9,
            "blank": [],
        },
    ]
    found = rules.cell_checks(rows)
    assert [(f["rule"], f["evidence"]["key"]) for f in found] == [
        ("cells.blank", "applications"),
        ("cells.blank", "proactive"),
        ("cells.unreadable", "applications.total"),
    ]
    assert len(found[0]["evidence"]["keys"]) == 7
    assert found[1]["evidence"]["keys"] == ["proactive.penalty.decisions"]


def test_the_rules_glossary_is_generated_from_the_registry() -> None:
    from pathlib import Path

    from report.glossary import markdown
    from report.registry import RULES

    docs = Path(__file__).resolve().parents[2] / "docs" / "rules.md"
    text = docs.read_text(encoding="utf-8")
    assert text == markdown(), "run: python -m report.glossary > docs/rules.md"
    assert all(f"`{name}`" in text for name in RULES)


@pytest.mark.parametrize(
    "text, cells, expected",
    [
        # real wordings (平潭, 洪泽) of nothing charged, with requests handled: silent
        ("2024年,无收取信息处理费情况。", {"applications.new_received.total": 3}, []),
        (
            "区政府严格落实《政府信息公开信息处理费管理办法》,全年收取政府信息公开信息处理费0元。",
            {"applications.new_received.total": 0, "applications.carried_over.total": 0},
            [],
        ),
        # no fee notice sent, yet requests closed for a fee not paid
        (
            "本年度未向申请人发出收费通知,未收取信息处理费。",
            {"applications.other.unpaid_fee.total": 2},
            ["no_notice"],
        ),
        # a fee notice sent and not paid: nothing charged is no contradiction
        ("本年度未收取信息处理费。", {"applications.other.unpaid_fee.total": 2}, []),
        # fees charged in a year that handled no request
        (
            "本年度共收取信息处理费0.12万元。",
            {"applications.new_received.total": 0, "applications.carried_over.total": 0},
            ["charged"],
        ),
        ("本年度共收取信息处理费120元。", {"applications.new_received.total": 4}, []),
        ("本年度共收取信息处理费120元。", {}, []),  # the table not read: nothing to hold
    ],
)
def test_fees_the_text_states_against_table_three(text, cells, expected) -> None:
    from parsers.narrative import fees
    from report.sentences import sentence

    found = rules.narrative_fees(cells, fees(text))
    assert [f["evidence"]["said"] for f in found] == expected
    for f in found:
        assert f["rule"] == "narrative.fees" and f["severity"] == "warning"
        assert "表三" in sentence(f["rule"], f["evidence"], f["message"], "zh")
    if expected == ["charged"]:
        assert found[0]["evidence"]["fees_yuan"] == 1200
