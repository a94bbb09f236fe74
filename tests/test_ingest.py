"""The one filing decision (ingest.file_report): whose report, for which year, a document
is — the same for a crawl's listing, a file given by hand and a document parsed again."""

from __future__ import annotations

import pytest

from ingest import Listing, file_report
from report.agencies import AgencyIndex

INDEX = AgencyIndex.from_rows(
    [
        {"id": "dongling", "name": "青石县东岭镇人民政府", "aliases": ["东岭镇"], "region": "某县"},
        {"id": "xiling", "name": "青石县西岭镇人民政府", "aliases": ["西岭镇"], "region": "某县"},
        {"id": "pingtan", "name": "平潭综合实验区党工委管委会", "region": "福建省"},
    ]
)
DONGLING_2023 = Listing("dongling", "青石县东岭镇人民政府", 2023, "东岭镇2023年年报", "http://x/1")


def _record(agency: str | None, year: int | None) -> dict:
    return {"agency": agency, "year": year, "title": f"{agency}{year}年政府信息公开工作年度报告"}


@pytest.mark.parametrize(
    ("record", "listing", "filed", "conflict"),
    [
        # Given by hand: the agency its names match, or none.
        (_record("青石县西岭镇人民政府", 2022), None, ("xiling", 2022), False),
        (_record("某县农业农村局", 2022), None, (None, 2022), False),
        # As listed.
        (_record("青石县东岭镇人民政府", 2023), DONGLING_2023, ("dongling", 2023), False),
        (_record(None, None), DONGLING_2023, ("dongling", 2023), False),
        (_record("东岭镇", None), DONGLING_2023, ("dongling", 2023), False),
        # The document's year, and its agency, have the last word.
        (_record("青石县东岭镇人民政府", 2024), DONGLING_2023, ("dongling", 2024), True),
        (_record("青石县西岭镇人民政府", 2023), DONGLING_2023, ("xiling", 2023), True),
        # An agency the sources file lacks: held unassigned, never the listing's.
        (_record("青石县南山镇人民政府", 2023), DONGLING_2023, (None, 2023), True),
        # A name that holds the listing's (an alias left out) is the listing's agency.
        (
            _record("平潭综合实验区", 2024),
            Listing("pingtan", "平潭综合实验区党工委管委会", 2024),
            ("pingtan", 2024),
            False,
        ),
    ],
)
def test_a_document_is_filed_where_its_own_text_says(
    record: dict, listing: Listing | None, filed: tuple, conflict: bool
) -> None:
    filing = file_report(record, INDEX, listing, "sha")
    assert (filing.agency_id, filing.year) == filed
    assert (filing.conflict is not None) == conflict
    if filing.conflict:
        assert filing.conflict["rule"] == "report.attribution_conflict"
        assert filing.conflict["evidence"]["filed_under"]["agency_id"] == filed[0]
        assert filing.conflict["evidence"]["listing"]["agency_id"] == listing.agency_id
