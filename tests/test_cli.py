"""``nianbao parse`` and ``query`` as a user runs them: real files, real exit codes; once as
the installed command in its own process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support import invoke, run

CORPUS = Path(__file__).resolve().parent / "corpus"


def json_lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def test_json_records_in_order_and_a_bad_file_does_not_stop_the_batch(tmp_path: Path) -> None:
    a = CORPUS / "seed-one-cell-per-line-nonzero.txt"
    b = CORPUS / "seed-2021-spaces-inside-words.txt"
    missing = tmp_path / "missing.txt"
    done = invoke("parse", "--json", str(a), str(missing), str(b))
    assert done.exit_code == 1
    lines = json_lines(done.stdout)
    assert [line["file"] for line in lines] == [str(a), str(missing), str(b)]
    assert lines[1] == {"file": str(missing), "error": "no such file"}
    assert lines[0]["cells"]["applications.granted.total"] == 3
    assert lines[2]["year"] == 2023
    assert "Traceback" not in done.stderr


def test_record_has_every_field_of_the_spec() -> None:
    done = invoke("parse", "--json", str(CORPUS / "seed-traditional-legacy-free-form.txt"))
    assert done.exit_code == 0
    (record,) = json_lines(done.stdout)
    assert list(record) == [
        "file",
        "agency",
        "year",
        "title",
        "template",
        "script",
        "published_at",
        "published_source",
        "doc_number",
        "sections",
        "cells",
        "narrative",
        "findings",
    ]


def test_stdin_and_gb18030() -> None:
    text = (CORPUS / "layout-2019-tab-rows.txt").read_text(encoding="utf-8")
    done = invoke("parse", "--json", "-", input=text.encode("gb18030"))
    assert done.exit_code == 0
    (record,) = json_lines(done.stdout)
    assert record["file"] == "-" and record["agency"] == "某县人民政府"
    assert record["cells"]["applications.new_received.total"] == 18


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", {"template": "unknown", "rules": ["document.no_text"]}),
        (b"\x00\x01\x02junk" * 100, {"error": "binary content (NUL bytes): not a text document"}),
        (bytes(range(128, 256)) * 40, None),  # undecodable or nonsense: an error or unknown
        ("市政府召开常务会议。".encode(), {"template": "unknown", "rules": []}),
    ],
)
def test_bad_input_gives_one_line_never_a_traceback(
    tmp_path: Path, content: bytes, expected: dict | None
) -> None:
    path = tmp_path / "doc.txt"
    path.write_bytes(content)
    done = invoke("parse", "--json", str(path))
    assert "Traceback" not in done.stderr
    (line,) = json_lines(done.stdout)
    if "error" in line:
        assert done.exit_code == 1
    else:
        assert done.exit_code == 0 and line["template"] == "unknown"
    if expected and "error" in expected:
        assert line["error"] == expected["error"]
    elif expected:
        assert line["template"] == expected["template"]
        assert [f["rule"] for f in line["findings"]] == expected["rules"]


def test_a_50_mb_file_is_refused_quickly(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.truncate(50 * 1024 * 1024)
    done = invoke("parse", "--json", str(big))
    assert done.exit_code == 1
    (line,) = json_lines(done.stdout)
    assert "too large: 50.0 MB" in line["error"]


def test_human_summary_lists_findings() -> None:
    done = invoke("parse", str(CORPUS / "seed-wrong-article-blank-cells-grid-total.txt"))
    assert done.exit_code == 0
    out = done.stdout
    assert "东乡县凤山乡 2020 · template 2019" in out
    assert "template.article_reference" in out and "cells.blank" in out


def test_usage_errors_exit_2_and_help_ends_in_an_example() -> None:
    assert invoke("parse").exit_code == 2
    assert invoke("frobnicate").exit_code == 2
    for args in (["--help"], ["parse", "--help"]):
        done = invoke(*args)
        assert done.exit_code == 0
        assert "Example:" in done.stdout


def test_query_reads_the_archive_only_and_shows_what_it_reads(tmp_path: Path) -> None:
    db = tmp_path / "nianbao.db"
    assert invoke("parse", "--db", str(db), str(CORPUS / "layout-2021-tab-rows.txt")).exit_code == 0
    for sql in (f"VACUUM INTO '{tmp_path / 'copy.db'}'", f"ATTACH '{tmp_path / 'x.db'}' AS x"):
        done = invoke("query", "--db", str(db), sql)
        assert done.exit_code == 2 and "ATTACH and VACUUM INTO are refused" in done.stderr
    assert not (tmp_path / "copy.db").exists() and not (tmp_path / "x.db").exists()
    # An escape sequence from a document is shown, not sent to the terminal.
    shown = invoke("query", "--db", str(db), "SELECT 'a' || char(27) || '[2J' AS t")
    assert "\x1b" not in shown.stdout and "a\\x1b[2J" in shown.stdout
    # Binary columns as base64 in JSON.
    binary = invoke("query", "--db", str(db), "SELECT data FROM document_bytes", "--format", "json")
    assert binary.exit_code == 0 and json.loads(binary.stdout)[0]["data"].startswith("base64:")


@pytest.mark.slow
def test_the_installed_command_runs_as_its_own_process(tmp_path: Path) -> None:
    done = run("parse", "--json", str(CORPUS / "layout-2021-tab-rows.txt"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (record,) = json_lines(done.stdout)
    assert record["cells"]["applications.new_received.total"] == 18
    assert run("--version").stdout.startswith("nianbao, version ")
