"""The archive on a real SQLite file: documents once, versions, findings, views, search."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from ingest import add_document, reparse
from monitor.runner import run_checks
from parsers.normalize import normal_form
from report.registry import rules_of
from storage.archive import Archive, Fetched
from storage.db import ArchiveError, bound_reads, connect, unpack_text
from storage.packing import unpack_prose_of
from storage.query import findings, matrix, search
from storage.sources import SourcesError, load_sources
from tests.corpus import make_layouts as layouts
from tests.support import SOURCES, dump, read_whole, report


def count(a: Archive, table: str) -> int:
    return a.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_same_bytes_add_nothing(archive: Archive) -> None:
    first = add_document(archive, report())
    assert first.status == "new_report"
    before = {t: count(archive, t) for t in ("documents", "reports", "cells", "findings")}
    assert add_document(archive, report()).status == "known"
    assert {t: count(archive, t) for t in before} == before
    assert before["cells"] == 200


def test_bytes_that_differ_only_in_furniture_are_not_a_new_version(archive: Archive) -> None:
    add_document(archive, report())
    noisy = report().replace(b"\n", b"\n\n", 3) + "浏览次数：1024\n- 3 -\n".encode()
    result = add_document(archive, noisy)
    assert result.status == "same_text"
    assert count(archive, "documents") == 2  # what the portal served is kept
    assert count(archive, "reports") == 1


def test_revised_report_is_a_new_version_with_the_changed_cells(archive: Archive) -> None:
    v1 = add_document(archive, report(), Fetched(fetched_at="2023-01-25T00:00:00+00:00"))
    v2 = add_document(
        archive,
        report(edit=("行政许可\t341", "行政许可\t342")),
        Fetched(fetched_at="2023-03-01T00:00:00+00:00"),
    )
    assert v2.status == "new_version"
    rows = archive.conn.execute(
        "SELECT id, version, is_latest, agency_id FROM reports ORDER BY id"
    ).fetchall()
    assert rows == [(v1.report_id, 1, 0, "demo-env"), (v2.report_id, 2, 1, "demo-env")]
    (revised,) = findings(archive.conn, rule="report.revised")
    assert revised["agency_id"] == "demo-env" and revised["year"] == 2022
    assert revised["evidence"]["changed_cells"] == {"proactive.licensing.decisions": [341, 342]}
    assert revised["evidence"]["previous_first_seen"] == "2023-01-25T00:00:00+00:00"


def test_a_publication_date_moved_between_crawls_is_kept_as_evidence(archive: Archive) -> None:
    """Listed on 2023-02-05 (late) when first seen; a revision lists it on 2023-01-20,
    before the deadline: both dates and when the first was seen are kept, and the move
    earlier is said as a possible backdating. The same date again says nothing."""
    from report.sentences import sentence

    first = Fetched(fetched_at="2023-02-06T00:00:00+00:00", listed_date="2023-02-05")
    add_document(archive, report(), first)
    same_date = Fetched(fetched_at="2023-02-20T00:00:00+00:00", listed_date="2023-02-05")
    add_document(archive, report(edit=("行政许可\t341", "行政许可\t340")), same_date)
    assert findings(archive.conn, rule="report.date_changed") == []
    moved = Fetched(fetched_at="2023-03-01T00:00:00+00:00", listed_date="2023-01-20")
    add_document(archive, report(edit=("行政许可\t341", "行政许可\t342")), moved)
    (changed,) = findings(archive.conn, rule="report.date_changed")
    e = changed["evidence"]
    assert (e["previous_published_at"], e["published_at"], e["earlier"]) == (
        "2023-02-05",
        "2023-01-20",
        True,
    )
    assert e["previous_first_seen"] == "2023-02-20T00:00:00+00:00"
    said = sentence("report.date_changed", e, changed["message"], "zh")
    assert said == (
        "发布日期由 2023-02-05 改为 2023-01-20（原日期的版本首次发现于 2023-02-20），"
        "改早了：可能是倒签日期。"
    )


def test_findings_are_resolved_not_deleted_and_never_duplicated(archive: Archive) -> None:
    broken = report(
        edit=("(一)予以公开\t6\t2\t0\t1\t1\t0\t10", "(一)予以公开\t5\t2\t0\t1\t1\t0\t9")
    )
    add_document(archive, broken, Fetched(fetched_at="2023-01-20T00:00:00+00:00"))
    opened = findings(archive.conn, rule="applications.outcome_sum")
    assert [f["evidence"]["column"] for f in opened] == ["natural_person", "total"]
    add_document(archive, broken + b"\n")  # same text: nothing new
    assert len(findings(archive.conn, rule="applications.", status="all")) == 2
    add_document(archive, report(), Fetched(fetched_at="2023-02-01T00:00:00+00:00"))
    assert findings(archive.conn, rule="applications.") == []
    resolved = findings(archive.conn, rule="applications.", status="resolved")
    assert len(resolved) == 2
    assert all(f["first_seen"] == "2023-01-20T00:00:00+00:00" for f in resolved)
    row = archive.conn.execute(
        "SELECT resolved_at FROM findings WHERE rule = 'applications.outcome_sum'"
    ).fetchone()
    assert row == ("2023-02-01T00:00:00+00:00",)


def test_agencies_update_in_place_and_reports_match_by_alias(
    archive: Archive, tmp_path: Path
) -> None:
    sources = tmp_path / "agencies.toml"
    sources.write_text(
        SOURCES.replace('region = "某省某市某县"', 'region = "某省某市新县"'), encoding="utf-8"
    )
    archive.load_agencies(load_sources(sources))
    assert count(archive, "agencies") == 2
    assert archive.conn.execute(
        "SELECT region FROM agencies WHERE id = 'demo-county'"
    ).fetchone() == ("某省某市新县",)
    result = add_document(archive, report("某县政府", 2022, "2021"))
    assert archive.conn.execute(
        "SELECT agency_id FROM reports WHERE id = ?", (result.report_id,)
    ).fetchone() == ("demo-county",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[agency]]\nid = 'X'\nname = 'a'\nlevel = 'county'\n", "id must be lower-case"),
        ("[[agency]]\nid = 'a'\nname = 'a'\nlevel = 'village'\n", "level must be one of"),
        (
            "[[agency]]\nid = 'a'\nname = 'a'\nlevel = 'county'\ndeadline = '1-31'\n",
            "deadline must be MM-DD",
        ),
        ("[[agency]]\nid = 'a'\nname = 'a'\nlevel = 'county'\n" * 2, "id used twice"),
        ("[[agency]\n", "not valid TOML"),
        ("[[agencies]]\nid = 'a'\n", "unknown key 'agencies'; did you mean agency?"),
        (
            "[[agency]]\nid = 'a'\nname = 'a'\nlevel = 'county'\nlist_url = ['http://x/']\n",
            "agency a: unknown key 'list_url'; did you mean list_urls?",
        ),
        (
            "[[agency]]\nid = 'a'\nname = 'a'\nlevel = 'county'\nlist_urls = ['ftp://x/nb']\n",
            "list_urls: 'ftp://x/nb' is not an http",
        ),
        (
            "[[agency]]\nid = 'a'\nname = 'a'\nlevel = 'county'\nlist_urls = ['nb/index.html']\n",
            "is not an http",
        ),
        (
            "[[agency]]\nid = 'a'\nname = 'a'\nlevel = 'county'\nlist_urls = ['javascript:x']\n",
            "is not an http",
        ),
    ],
)
def test_bad_sources_files_say_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "agencies.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourcesError, match=message):
        load_sources(path)


def test_a_source_names_a_registered_family(tmp_path: Path) -> None:
    path = tmp_path / "agencies.toml"
    entry = "[[agency]]\nid = 'a'\nname = 'a'\nlevel = 'county'\n"
    path.write_text(entry + "family = 'trs'\n", encoding="utf-8")
    assert load_sources(path, ["plain", "trs"])[0]["family"] == "trs"
    path.write_text(entry + "family = 'wcm'\n", encoding="utf-8")
    with pytest.raises(SourcesError, match="family must be one of plain, trs"):
        load_sources(path, ["plain", "trs"])
    path.write_text(entry + "software = 'trs'\n", encoding="utf-8")
    with pytest.raises(SourcesError, match=r"unknown key 'software'.*family"):
        load_sources(path)


def test_default_deadlines_by_level(tmp_path: Path) -> None:
    path = tmp_path / "agencies.toml"
    path.write_text(SOURCES, encoding="utf-8")
    assert {r["id"]: r["deadline"] for r in load_sources(path)} == {
        "demo-env": "01-31",
        "demo-county": "03-31",
    }


def test_cells_answer_questions_across_agencies(archive: Archive) -> None:
    add_document(archive, report())
    add_document(
        archive,
        report(
            "某县人民政府",
            2022,
            "2021",
            edit=("数量\t12\t3\t0\t1\t2\t0\t18", "数量\t112\t3\t0\t1\t2\t0\t118"),
        ),
    )
    rows = archive.conn.execute(
        """SELECT r.agency_id, c.value FROM latest_reports r
           JOIN cell_values c ON c.report_id = r.id
           WHERE r.region LIKE '某省某市%' AND r.year = 2022
             AND c.key = 'applications.new_received.total' AND c.value > 100"""
    ).fetchall()
    assert rows == [("demo-county", 118)]


def test_compliance_view_and_matrix(archive: Archive) -> None:
    add_document(archive, report())  # demo-env 2022: ok
    add_document(archive, report(year=2021, edit=("(七)总计\t13", "(七)总计\t14")))
    result = matrix(archive.conn)
    assert result["demo-env"][2021] == ("inconsistent",)
    assert result["demo-env"][2022] == ("ok",)
    # Missing only where `nianbao check` found it so, and it judges only from a finished
    # crawl that read the agency's whole column: before both, a year is unverified.
    assert result["demo-env"][2023] == ("unverified",)
    assert result["demo-county"][2022] == ("unverified",)  # not judged yet
    archive.conn.execute("UPDATE settings SET value = '3650' WHERE key = 'grace_days'")
    assert matrix(archive.conn)["demo-county"][2022] == ("pending",)
    archive.conn.execute("UPDATE settings SET value = '0' WHERE key = 'grace_days'")
    read_whole(archive, complete=False)
    run_checks(archive, date(2024, 6, 1))
    assert matrix(archive.conn)["demo-env"][2023] == ("unverified",)
    read_whole(archive)
    run_checks(archive, date(2024, 6, 1))
    result = matrix(archive.conn)
    assert result["demo-env"][2023] == ("missing",)
    assert result["demo-county"][2022] == ("missing",)
    # A later crawl that cannot read the column proves nothing: the missing report stays
    # missing, its finding open, until a report is found.
    archive.store_findings(
        "demo-county",
        "demo-county",
        None,
        None,
        None,
        [
            {
                "rule": "source.unreachable",
                "severity": "warning",
                "message": "list page down",
                "evidence": {},
            }
        ],
        "2024-01-01",
        scope=rules_of("source"),
    )
    assert run_checks(archive, date(2024, 6, 2))["resolved"] == 0
    assert matrix(archive.conn)["demo-county"][2022] == ("missing",)
    late = {"rule": "report.late", "severity": "warning", "message": "late", "evidence": {}}
    for year in (2021, 2022):
        report_id = archive.conn.execute(
            "SELECT report_id FROM agency_years WHERE agency_id = 'demo-env' AND year = ?",
            (year,),
        ).fetchone()[0]
        archive.store_findings(
            "demo-env", "demo-env", None, year, report_id, [late], "2024-01-01", scope=()
        )
    result = matrix(archive.conn)["demo-env"]
    assert result[2021] == ("late", "inconsistent") and result[2022] == ("late",)
    # The whole matrix is the view read row by row, agencies and years in order.
    expected: dict[str, dict[int, tuple[str, ...]]] = {}
    for agency, year, status, late, inconsistent in archive.conn.execute(
        "SELECT agency_id, year, status, late, inconsistent FROM compliance "
        "ORDER BY agency_id, year"
    ):
        both = status in ("late", "inconsistent") and late and inconsistent
        expected.setdefault(agency, {})[year] = ("late", "inconsistent") if both else (status,)
    result = matrix(archive.conn)
    assert result == expected and len(expected) > 1
    assert list(result) == sorted(result)
    assert all(list(row) == sorted(row) for row in result.values())


def test_search_in_either_script_and_short_terms(archive: Archive) -> None:
    first = add_document(archive, report())
    add_document(archive, report("某县人民政府", 2022, "2021"))
    hits = search(archive.conn, "生態環境局")  # traditional query, simplified report
    assert [h["report_id"] for h in hits] == [first.report_id]
    assert "[生态环境局]" in hits[0]["snippet"]
    assert len(search(archive.conn, "县")) == 1
    assert len(search(archive.conn, "政务公开工作")) == 2
    assert search(archive.conn, "不存在的词语") == []


def test_short_terms_are_found_through_indexes_exactly(archive: Archive) -> None:
    """One and two characters: the same reports as reading every text, at a text's very
    end too, punctuation and letter case included, and only the texts that may hold the
    term are read (a scan would read them all)."""
    tails = ["附注：Ω", "县的XQ", "附注；", "（完）", "甲乙"]
    for i, (agency, year) in enumerate(
        (a, y) for a in ("某市生态环境局", "某县人民政府") for y in range(2019, 2024)
    ):
        text = layouts.render(agency, year, "2021" if year >= 2021 else "2019", "tabs")
        add_document(archive, f"{text}\n{tails[i % len(tails)]}{i}".encode())
    archive.flush_search_index()
    texts = dict(archive.conn.execute("SELECT report_id, text FROM report_texts"))
    assert len(texts) == 10
    terms = ["Ω", "县的", "XQ", "xq", "；", "；2", "完", "）", "乙7", "9", "甲乙", "的", "龘"]
    terms.append("龘龘")
    terms += [texts[i][-2:] for i in texts] + [texts[i][-1] for i in texts]
    for term in terms:
        stored = normal_form(term)  # full-width punctuation is kept as NFKC makes it
        expected = sorted(i for i, t in texts.items() if stored in t)
        assert sorted(h["report_id"] for h in search(archive.conn, term)) == expected, term
    assert search(archive.conn, "（完）") and search(archive.conn, "（完）") == search(
        archive.conn, "(完)"
    )
    read = []
    archive.conn.create_function(
        "nianbao_unpack", 1, lambda b: read.append(1) or unpack_text(b), deterministic=True
    )
    archive.conn.create_function(  # prose packed against its document (these are text)
        "nianbao_unpack",
        3,
        lambda *args: read.append(1) or unpack_prose_of(*args),
        deterministic=True,
    )
    for term in ("Ω", "县的", "；2", "龘", "龘龘"):
        read.clear()
        hits = search(archive.conn, term)
        assert len(read) == len(hits) <= 2, term  # each once


def test_a_rewritten_text_leaves_no_trace_of_the_old_one_in_the_indexes(
    archive: Archive,
) -> None:
    added = add_document(archive, report())
    archive.flush_search_index()
    conn = archive.conn
    # As an older parser would have left it: other prose, indexed as it was.
    conn.execute(
        "INSERT INTO report_text (report_text, rowid, text) "
        "SELECT 'delete', report_id, text FROM report_indexed_texts WHERE report_id = ?",
        (added.report_id,),
    )
    conn.execute(
        "INSERT INTO report_chars (report_chars, rowid, chars) "
        "SELECT 'delete', report_id, nianbao_chars(text) FROM report_texts WHERE report_id = ?",
        (added.report_id,),
    )
    conn.execute(
        "UPDATE report_prose SET packed = nianbao_pack('旧的文字：甲乙丙丁戊') WHERE report_id = ?",
        (added.report_id,),
    )
    for table, column, value in (
        ("report_text", "text", "text FROM report_indexed_texts"),
        ("report_chars", "chars", "nianbao_chars(text) FROM report_texts"),
    ):
        conn.execute(
            f"INSERT INTO {table} (rowid, {column}) SELECT report_id, {value} WHERE report_id = ?",
            (added.report_id,),
        )
    conn.execute("UPDATE reports SET record_hash = 'old'")
    assert [h["report_id"] for h in search(conn, "戊")] == [added.report_id]
    assert reparse(archive) == {"updated": 1}
    conn.execute("INSERT INTO report_text (report_text) VALUES ('integrity-check')")
    for term in ("戊", "丁戊", "甲乙丙"):  # only in the old text
        assert search(conn, term) == [], term
    for term in ("局", "公开", "生态环境局"):  # in the new
        assert [h["report_id"] for h in search(conn, term)] == [added.report_id], term


def test_reparse_is_idempotent_and_repairs(archive: Archive) -> None:
    add_document(archive, report())
    add_document(archive, b"\x00\x01 not a document")
    assert reparse(archive) == {"unchanged": 1}

    before = dump(archive.conn)
    assert reparse(archive) == {"unchanged": 1}
    assert dump(archive.conn) == before
    archive.conn.execute("UPDATE cells SET value = 999")  # as if an older parser misread
    archive.conn.execute("UPDATE reports SET record_hash = 'old'")
    assert reparse(archive) == {"updated": 1}
    assert archive.conn.execute("SELECT count(*) FROM cells WHERE value = 999").fetchone() == (0,)
    assert reparse(archive) == {"unchanged": 1}


def test_error_documents_are_kept_with_their_error(archive: Archive) -> None:
    result = add_document(archive, b"\x00\x01 not a document")
    assert result.status == "error"
    row = archive.conn.execute("SELECT error, size FROM documents").fetchone()
    assert row == ("binary content (NUL bytes): not a text document", 17)


def test_read_only_connection_refuses_writes(archive: Archive, tmp_path: Path) -> None:
    ro = connect(tmp_path / "nianbao.db", readonly=True)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        ro.execute("DELETE FROM agencies")
    with pytest.raises(ArchiveError, match="no archive at"):
        connect(tmp_path / "missing.db", readonly=True)
    not_archive = tmp_path / "x.db"
    not_archive.write_bytes(b"hello" * 100)
    with pytest.raises(ArchiveError):
        connect(not_archive)


def test_documents_keep_their_bytes_and_fetch_metadata(archive: Archive) -> None:
    data = report()
    add_document(
        archive,
        data,
        Fetched(
            source_url="http://127.0.0.1/a.txt",
            http_status=200,
            etag='"abc"',
            last_modified="Tue, 24 Jan 2023 02:00:00 GMT",
            content_type="text/plain",
        ),
    )
    from storage.archive import document_bytes

    sha = hashlib.sha256(data).hexdigest()
    assert document_bytes(archive.conn, sha) == data
    row = archive.conn.execute(
        "SELECT source_url, http_status, etag, format FROM documents"
    ).fetchone()
    assert row == ("http://127.0.0.1/a.txt", 200, '"abc"', "text")
    published = archive.conn.execute(
        "SELECT published_at, published_source, stated_published_at FROM reports"
    ).fetchone()
    assert published == ("2023-01-20", "document", "2023-01-20")
    assert json.loads(archive.conn.execute("SELECT narrative FROM reports").fetchone()[0]) == {
        "proactive_items": 236,
        "applications_received": 18,
        "fees_yuan": 0,
    }


def test_a_real_pages_prose_is_kept_against_the_page_and_read_back_everywhere(
    archive: Archive,
) -> None:
    """The 平潭 page (UTF-8 HTML): its prose is kept packed against the page itself,
    and every reader gets it whole — the view, search, the full-text index, and a
    connection that runs a person's SQL (`serve`, `query`)."""
    page = Path(__file__).parent.parent / "corpus/real-page-title-and-date-outside-content.html"
    data = page.read_bytes()
    added = add_document(archive, data)
    archive.flush_search_index()
    (packed,) = archive.conn.execute(
        "SELECT packed FROM report_prose WHERE report_id = ?", (added.report_id,)
    ).fetchone()
    assert packed[:1] == b"\x02" and len(packed) < 0.2 * len(unpack_prose_of(packed, "raw", data))
    (text,) = archive.conn.execute(
        "SELECT text FROM report_texts WHERE report_id = ?", (added.report_id,)
    ).fetchone()
    assert "平潭综合实验区" in text and len(text) > 1000
    assert [h["report_id"] for h in search(archive.conn, "平潭综合实验区")] == [added.report_id]
    assert [h["report_id"] for h in search(archive.conn, "潭")] == [added.report_id]
    path = archive.conn.execute("PRAGMA database_list").fetchone()[2]
    reader = connect(path, readonly=True)
    bound_reads(reader)
    assert reader.execute("SELECT text FROM report_texts").fetchall() == [(text,)]


def test_a_report_no_agency_holds_is_versioned_through_an_index_of_its_own(
    tmp_path: Path,
) -> None:
    """Reports filed under no agency (`nianbao parse --db` of files, without a sources
    file) are found by name and year through reports_unfiled: the index by agency held
    them all under NULL, and each new one read every other of its year."""
    archive = Archive(connect(tmp_path / "a.db"))  # no agencies: nothing is filed
    statements: list[str] = []
    for name in ("某市生态环境局", "某县人民政府"):
        text = layouts.render(name, 2022, "2021", "tabs").encode()
        archive.conn.set_trace_callback(statements.append)
        assert add_document(archive, text).status == "new_report"
        archive.conn.set_trace_callback(None)
    lookups = [s for s in statements if "agency_id IS NULL" in s and "FROM reports" in s]
    assert len(lookups) == 2
    for sql in lookups:
        plan = " ".join(row[3] for row in archive.conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
        assert "USING INDEX reports_unfiled" in plan, plan
    # Found again by name: the same text is the same report, another is a new version.
    again = layouts.render("某县人民政府", 2022, "2021", "tabs")
    assert add_document(archive, again.encode() + b"\n").status == "same_text"
    revised = again.replace("行政许可\t", "行政许可\t1", 1)
    assert add_document(archive, revised.encode()).status == "new_version"
    archive.close()


def test_report_cells_gives_each_reports_values_in_order_false_where_it_has_no_such_cell(
    archive: Archive,
) -> None:
    from storage.query import report_cells

    old = add_document(archive, report(year=2020, template="2019")).report_id
    new = add_document(archive, report(year=2022)).report_id
    keys = ("applications.new_received.total", "proactive.rules.in_force", "no.such.key")
    got = report_cells(archive.conn, keys)
    cells = dict(
        archive.conn.execute("SELECT key, value FROM cell_values WHERE report_id = ?", (new,))
    )
    assert got[new] == [cells[keys[0]], cells[keys[1]], False]
    assert got[old][1:] == [False, False]  # the 2019 form has no "in force" column
    assert (
        got[old][0]
        == archive.conn.execute(
            "SELECT value FROM cell_values WHERE report_id = ? AND key = ?", (old, keys[0])
        ).fetchone()[0]
    )


def test_a_regions_open_findings_are_found_through_their_agencies(archive: Archive) -> None:
    """The report reads one region's findings at a time: through the agencies' index, not
    every open finding (half a million at national scale) by status."""
    from storage.query import open_findings

    add_document(archive, report(), Fetched(agency_id="demo-env", listed_date="2023-06-10"))
    run_checks(archive, date(2024, 6, 1))
    every = list(open_findings(archive.conn))
    statements: list[str] = []
    archive.conn.set_trace_callback(statements.append)
    mine = list(open_findings(archive.conn, ["demo-env", "no-such-agency"]))
    archive.conn.set_trace_callback(None)
    assert mine == [f for f in every if f["agency_id"] == "demo-env"]
    assert "report.late" in {f["rule"] for f in mine} and len(mine) < len(every)
    (sql,) = [s for s in statements if "findings f" in s]
    plan = " ".join(row[3] for row in archive.conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
    assert "INDEX findings_agency_year_status" in plan, plan
