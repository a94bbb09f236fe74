"""Facts about the real seed reports that must hold whatever the golden files say."""

from __future__ import annotations

from pathlib import Path

from parsers import parse_bytes

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
ARITHMETIC = ("applications.", "appeals.")


def parse(name: str) -> dict:
    return parse_bytes((CORPUS / name).read_bytes())


def rules(record: dict) -> list[str]:
    return [f["rule"] for f in record["findings"]]


def test_seed_003_one_cell_per_line_nonzero() -> None:
    r = parse("seed-one-cell-per-line-nonzero.txt")
    c = r["cells"]
    assert c["applications.new_received.natural_person"] == 4
    assert c["applications.granted.total"] == 3
    assert c["applications.denied.third_party.total"] == 1
    assert c["proactive.procurement.projects"] == 5
    assert c["proactive.procurement.amount_wan"] == 3360
    assert r["published_at"] == "2021-01-08"
    assert r["doc_number"] == "南省政〔2021〕9号"
    assert not [x for x in rules(r) if x.startswith(ARITHMETIC)]


def test_seed_002_wrong_article_and_blank_cell() -> None:
    r = parse("seed-wrong-article-blank-cells-grid-total.txt")
    assert "template.article_reference" in rules(r)
    blank = [f for f in r["findings"] if f["rule"] == "cells.blank"]
    assert any("proactive.penalty.decisions" in f["evidence"]["keys"] for f in blank)
    assert r["cells"]["proactive.penalty.decisions"] is None
    assert r["cells"]["proactive.penalty.prev_count"] == 0
    # 四、结转…\t\t\t0\t0\t0\t0\t0\t0\t: a grid row of three label columns, six zeros and
    # an empty 总计 cell: blank, not a 0 made up from the row's sum.
    assert r["cells"]["applications.carried_forward.total"] is None
    assert any("applications.carried_forward.total" in f["evidence"]["keys"] for f in blank)
    assert "cells.inferred" not in rules(r)


def test_seed_001_legacy_traditional() -> None:
    r = parse("seed-traditional-legacy-free-form.txt")
    assert (r["template"], r["script"]) == ("legacy", "traditional")
    assert r["published_at"] == "2021-01-27"
    assert r["agency"] == "湘乡市壶天镇"
    part_sum = [f for f in r["findings"] if f["rule"] == "narrative.part_sum"]
    evidence = [(f["evidence"]["total"], f["evidence"]["parts"]) for f in part_sum]
    assert evidence == [(113, [22, 180])]


def test_seed_004_template_2021_year_2023() -> None:
    r = parse("seed-2021-spaces-inside-words.txt")
    assert (r["template"], r["year"]) == ("2021", 2023)
    assert len(r["cells"]) == 10 + 25 * 7 + 15


def test_seed_000_extra_columns_still_complete() -> None:
    r = parse("seed-2019-tab-rows-with-extra-columns.txt")
    assert (r["template"], r["year"], r["agency"]) == ("2019", 2020, "高龙镇人民政府")
    assert len(r["cells"]) == 22 + 23 * 7 + 15
    assert r["narrative"] == {"proactive_items": 92, "applications_received": 0}
    assert r["findings"] == []


def test_real_pdf_text_every_nonzero_cell() -> None:
    r = parse("real-pdf-text-labels-split-around-numbers.txt")
    c = r["cells"]
    assert (r["agency"], r["year"], r["template"]) == ("淮安市洪泽区人民政府", 2024, "2021")
    nonzero = {k: v for k, v in c.items() if v}
    assert nonzero == {
        "proactive.normative_docs.issued": 3,
        "proactive.normative_docs.in_force": 8,
        "proactive.licensing.decisions": 9487,
        "proactive.penalty.decisions": 2776,
        "proactive.coercion.decisions": 84,
        "proactive.fees.amount_wan": 7545.0,
        **{
            f"applications.{row}.{col}": n
            for row, n in [
                ("new_received", 95),
                ("granted", 50),
                ("partially_granted", 9),
                ("denied.safety_stability", 1),
                ("denied.process_info", 1),
                ("denied.enforcement_file", 1),
                ("unavailable.not_held", 31),
                ("unavailable.needs_creation", 1),
                ("not_processed.petition", 1),
                ("total", 95),
            ]
            for col in ("natural_person", "total")
        },
        "appeals.review.upheld": 1,
        "appeals.review.corrected": 1,
        "appeals.review.total": 2,
        "appeals.litigation_direct.upheld": 1,
        "appeals.litigation_direct.total": 1,
        "appeals.litigation_after_review.upheld": 2,
        "appeals.litigation_after_review.other": 1,
        "appeals.litigation_after_review.total": 3,
    }
    assert None not in c.values()
    assert "applications.other.total" in c  # the single 2019-style 其他处理 row
    assert r["findings"] == []
