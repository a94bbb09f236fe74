"""The archive commands as a user runs them: parse --db, query, findings, matrix, reparse,
search."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest

from tests.corpus import make_layouts as layouts
from tests.support import invoke, run

SOURCES = """
[[agency]]
id = "demo-env"
name = "某市生态环境局"
level = "city_dept"
region = "某省某市"
since = 2022
"""


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "agencies.toml").write_text(SOURCES, encoding="utf-8")
    good = layouts.render("某市生态环境局", 2022, "2021", "tabs")
    (tmp_path / "2022.txt").write_text(good, encoding="utf-8")
    broken = layouts.render("某市生态环境局", 2023, "2021", "tabs")
    broken = broken.replace("(七)总计\t13", "(七)总计\t14")
    (tmp_path / "2023.txt").write_text(broken, encoding="utf-8")
    done = invoke(
        "parse",
        "--db",
        "nianbao.db",
        "--sources",
        "agencies.toml",
        "--json",
        "2022.txt",
        "2023.txt",
        cwd=tmp_path,
    )
    assert done.exit_code == 0, done.stderr
    assert [json.loads(line)["archived"] for line in done.stdout.splitlines()] == [
        "new_report",
        "new_report",
    ]
    return tmp_path


def test_parse_db_again_adds_nothing(workdir: Path) -> None:
    done = invoke("parse", "--db", "nianbao.db", "--json", "2022.txt", cwd=workdir)
    assert json.loads(done.stdout)["archived"] == "known"


def test_query_is_read_only(workdir: Path) -> None:
    done = invoke(
        "query",
        "SELECT agency_id, year, version FROM reports ORDER BY year",
        "--format",
        "json",
        cwd=workdir,
    )
    assert json.loads(done.stdout) == [
        {"agency_id": "demo-env", "year": 2022, "version": 1},
        {"agency_id": "demo-env", "year": 2023, "version": 1},
    ]
    denied = invoke("query", "DELETE FROM reports", cwd=workdir)
    assert denied.exit_code == 2
    assert "read-only" in denied.stderr and "Traceback" not in denied.stderr
    assert invoke("query", "SELEC nonsense", cwd=workdir).exit_code == 2
    missing = invoke("query", "SELECT 1", "--db", "nowhere.db", cwd=workdir)
    assert missing.exit_code == 2 and "no archive at" in missing.stderr


def test_a_query_that_never_ends_is_stopped_at_its_time_limit(workdir: Path) -> None:
    endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT max(x) FROM c"
    done = invoke("query", endless, "--timeout", "0.5", cwd=workdir)
    assert done.exit_code == 2 and "ran longer than 0.5 s" in done.stderr
    assert invoke("query", "SELECT count(*) FROM reports", cwd=workdir).exit_code == 0


def test_findings_read_as_chinese_sentences_for_people(workdir: Path) -> None:
    """The table a person reads: the agency's name, the rule's title and what it says,
    in Chinese; English on request; no rule keys in either."""
    table = invoke("findings", "--rule", "applications.", cwd=workdir).stdout
    header = table.splitlines()[0].split()
    assert header[:4] == ["编号", "单位", "年度", "问题"]
    assert "某市生态环境局" in table and "申请情况表" in table
    assert "applications." not in table and "demo-env" not in table
    english = invoke("findings", "--rule", "applications.", "--lang", "en", cwd=workdir).stdout
    assert english.splitlines()[0].split()[:2] == ["number", "agency"]
    assert "applications." not in english
    rows = list(csv.reader(invoke("findings", "--format", "csv", cwd=workdir).stdout.splitlines()))
    assert rows[0][0] == "编号" and all(r[1] == "某市生态环境局" for r in rows[1:])


def test_findings_json_has_the_spec_fields(workdir: Path) -> None:
    done = invoke("findings", "--format", "json", "--rule", "applications.", cwd=workdir)
    items = json.loads(done.stdout)
    assert items and set(items[0]) == {
        "id",
        "review",
        "review_note",
        "reviewer",
        "agency_id",
        "year",
        "rule",
        "severity",
        "message",
        "evidence",
        "status",
        "first_seen",
        "last_seen",
    }
    assert {(i["agency_id"], i["year"], i["rule"]) for i in items} == {
        ("demo-env", 2023, "applications.balance"),
        ("demo-env", 2023, "applications.outcome_sum"),
        ("demo-env", 2023, "applications.column_total"),
    }
    assert (
        json.loads(invoke("findings", "--format", "json", "--year", "2022", cwd=workdir).stdout)
        == []
    )


def test_matrix_formats(workdir: Path) -> None:
    # A year is missing once `nianbao check` found it so; before, it is unverified.
    assert json.loads(invoke("matrix", "--format", "json", cwd=workdir).stdout)["demo-env"][
        "2024"
    ] == ["unverified"]
    assert invoke("check", "--as-of", "2025-12-01", cwd=workdir).exit_code == 0
    as_json = json.loads(invoke("matrix", "--format", "json", cwd=workdir).stdout)
    assert as_json["demo-env"]["2022"] == ["ok"]
    assert as_json["demo-env"]["2023"] == ["inconsistent"]
    assert as_json["demo-env"]["2024"] == ["missing"]
    rows = list(csv.reader(io.StringIO(invoke("matrix", "--format", "csv", cwd=workdir).stdout)))
    assert rows[0][:5] == ["单位", "单位编号", "2022", "2023", "2024"]
    assert rows[1][:5] == ["某市生态环境局", "demo-env", "合规", "数据不一致", "缺失"]
    english = invoke("matrix", "--format", "csv", "--lang", "en", "--out", "m.csv", cwd=workdir)
    assert english.exit_code == 0
    raw = (workdir / "m.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[1][:5] == ["某市生态环境局", "demo-env", "ok", "inconsistent", "missing"]
    assert invoke("matrix", "--format", "html", "--out", "m.html", cwd=workdir).exit_code == 0
    page = (workdir / "m.html").read_text(encoding="utf-8")
    assert '<td class="cell inconsistent" id="demo-env-2023"><button' in page
    assert "某市生态环境局" in page


def test_reparse_twice_changes_nothing(workdir: Path) -> None:
    first = invoke("reparse", cwd=workdir)
    assert first.exit_code == 0 and first.stdout.strip() == "unchanged: 2"
    dump = invoke(
        "query", "SELECT * FROM findings ORDER BY fingerprint", "--format", "json", cwd=workdir
    ).stdout
    assert invoke("reparse", cwd=workdir).stdout.strip() == "unchanged: 2"
    assert (
        invoke(
            "query", "SELECT * FROM findings ORDER BY fingerprint", "--format", "json", cwd=workdir
        ).stdout
        == dump
    )


def test_search_shows_latest_versions_with_their_addresses(workdir: Path) -> None:
    revised = (
        (workdir / "2022.txt").read_text(encoding="utf-8").replace("行政许可\t341", "行政许可\t340")
    )
    (workdir / "2022-revised.txt").write_text(revised, encoding="utf-8")
    assert invoke("parse", "--db", "nianbao.db", "2022-revised.txt", cwd=workdir).exit_code == 0
    hits = json.loads(invoke("search", "生態環境", "--format", "json", cwd=workdir).stdout)
    assert [(h["year"], h["agency"]) for h in hits] == [
        (2022, "某市生态环境局"),
        (2023, "某市生态环境局"),
    ]
    assert hits[0]["url"] == (workdir / "2022-revised.txt").resolve().as_uri()
    assert hits[1]["url"] == (workdir / "2023.txt").resolve().as_uri()
    every = invoke("search", "生態環境", "--all-versions", "--format", "json", cwd=workdir)
    versions = [(h["year"], h["version"], h["latest"]) for h in json.loads(every.stdout)]
    assert versions == [(2022, 1, False), (2022, 2, True), (2023, 1, True)]


def test_findings_of_an_agency_by_name_include_the_checks(workdir: Path) -> None:
    assert invoke("check", "--as-of", "2025-06-01", cwd=workdir).exit_code == 0
    by_id = invoke("findings", "--agency", "demo-env", "--format", "json", cwd=workdir)
    by_name = invoke("findings", "--agency", "某市生态环境局", "--format", "json", cwd=workdir)
    rules = [f["rule"] for f in json.loads(by_name.stdout)]
    assert json.loads(by_id.stdout) == json.loads(by_name.stdout)
    assert "report.missing" in rules and "applications.balance" in rules


def test_bad_sources_file_is_a_usage_error(workdir: Path) -> None:
    (workdir / "bad.toml").write_text("[[agency]]\nid = 'Bad Id'\n", encoding="utf-8")
    done = invoke("parse", "--db", "nianbao.db", "--sources", "bad.toml", "2022.txt", cwd=workdir)
    assert done.exit_code == 2 and "id must be lower-case" in done.stderr


@pytest.mark.parametrize("command", ["query", "findings", "matrix", "reparse", "search"])
def test_every_command_has_help_with_an_example(command: str, tmp_path: Path) -> None:
    done = invoke(command, "--help", cwd=tmp_path)
    assert done.exit_code == 0 and "Example:" in done.stdout


def test_a_file_that_is_no_archive_or_is_damaged_is_never_written(tmp_path: Path) -> None:
    import os
    import sqlite3

    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE mine (a)")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    for command in (["check"], ["reparse"], ["parse", "--db", str(other), "-"]):
        args = [*command] if "--db" in command else [*command, "--db", str(other)]
        done = invoke(*args, cwd=tmp_path)
        assert done.exit_code == 2, done.stderr
        assert "not a nianbao archive: not touched" in done.stderr
        assert "Traceback" not in done.stderr
    assert other.read_bytes() == before  # nianbao's tables were not added
    missing = invoke("check", "--db", str(tmp_path / "typo.db"), cwd=tmp_path)
    assert missing.exit_code == 2 and "no archive at" in missing.stderr
    assert not (tmp_path / "typo.db").exists()
    # A damaged archive: refused in one line by a command that would rewrite it.
    db = tmp_path / "nianbao.db"
    assert (
        invoke(
            "parse",
            "--db",
            str(db),
            str(Path(layouts.__file__).parent / "layout-2021-tab-rows.txt"),
            cwd=tmp_path,
        ).exit_code
        == 0
    )
    data = bytearray(db.read_bytes())
    data[8192 * 3 : 8192 * 6] = os.urandom(8192 * 3)
    db.write_bytes(bytes(data))
    damaged = db.read_bytes()
    done = invoke("reparse", "--db", str(db), cwd=tmp_path)
    assert done.exit_code == 2 and "is damaged" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert db.read_bytes() == damaged


@pytest.mark.slow
def test_a_full_disk_during_parse_is_one_line_and_loses_nothing(tmp_path: Path) -> None:
    import resource
    import signal
    import sqlite3

    corpus = Path(layouts.__file__).parent
    db = tmp_path / "nianbao.db"
    assert invoke("parse", "--db", str(db), str(corpus / "layout-2021-tab-rows.txt")).exit_code == 0
    size = db.stat().st_size

    def no_room() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size + 50_000, size + 50_000))

    files = sorted(str(p) for p in corpus.glob("*.txt"))
    done = run("parse", "--db", str(db), *files, cwd=tmp_path, preexec_fn=no_room)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and done.stderr.strip().count("\n") == 0
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # Whatever was written is whole: no report without its cells.
    assert conn.execute(
        "SELECT count(*) FROM reports r WHERE r.template IN ('2019', '2021') "
        "AND NOT EXISTS (SELECT 1 FROM cells c WHERE c.report_id = r.id)"
    ).fetchone() == (0,)


def test_an_archived_document_is_exported_as_fetched(workdir: Path) -> None:
    report_id = json.loads(
        invoke(
            "query", "SELECT id FROM reports WHERE year = 2023", "--format", "json", cwd=workdir
        ).stdout
    )[0]["id"]
    by_id = invoke("document", str(report_id), "--out", "by-id.txt", cwd=workdir)
    assert by_id.exit_code == 0, by_id.output
    assert (workdir / "by-id.txt").read_bytes() == (workdir / "2023.txt").read_bytes()
    sha = hashlib.sha256((workdir / "2022.txt").read_bytes()).hexdigest()
    by_sha = invoke("document", sha[:10], cwd=workdir)
    assert by_sha.exit_code == 0 and f"{sha[:16]}.txt" in by_sha.output
    assert (workdir / f"{sha[:16]}.txt").read_bytes() == (workdir / "2022.txt").read_bytes()
    unknown = invoke("document", "99999", cwd=workdir)
    assert unknown.exit_code == 2 and "no archived document 99999" in unknown.stderr


def test_score_ranks_under_a_pack_and_a_dismissed_finding_costs_nothing(workdir: Path) -> None:
    def points(*args: str) -> float:
        done = invoke("score", "--format", "json", *args, cwd=workdir)
        assert done.exit_code == 0, done.output
        (env,) = [s for s in json.loads(done.stdout) if s["agency_id"] == "demo-env"]
        return env["score"]

    before = points()  # the neutral pack: 3 errors in 2023's numbers, −5 each, −15 at most
    assert before == 85
    table = invoke("score", "--year", "2023", cwd=workdir).stdout
    assert table.splitlines()[0].split()[:3] == ["排名", "单位", "层级"]
    assert "某市生态环境局" in table and "申请数据不平衡 -5" in table and "85" in table
    (first, *_) = json.loads(
        invoke("findings", "--format", "json", "--rule", "applications.", cwd=workdir).stdout
    )
    assert (
        invoke("review", str(first["id"]), "--dismiss", "--note", "表格错位", cwd=workdir).exit_code
        == 0
    )
    assert points() == 90
    county = str(Path(__file__).resolve().parent.parent / "report/packs/county-assessment.toml")
    assert points("--pack", county) == 5  # its numbers are only flagged there
    bad = invoke("score", "--pack", str(workdir / "nowhere.toml"), cwd=workdir)
    assert bad.exit_code == 2 and "cannot read the rule pack" in bad.output
