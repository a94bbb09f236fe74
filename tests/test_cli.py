"""``nianbao parse`` as a user runs it: a real process, real files, real exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent / "corpus"
SCRIPT = Path(sys.executable).with_name("nianbao")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "cli"]


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*COMMAND, *args], input=stdin, capture_output=True, timeout=120)


def json_lines(out: bytes) -> list[dict]:
    return [json.loads(line) for line in out.decode().splitlines()]


def test_json_records_in_order_and_a_bad_file_does_not_stop_the_batch(tmp_path: Path) -> None:
    a = CORPUS / "seed-one-cell-per-line-nonzero.txt"
    b = CORPUS / "seed-2021-spaces-inside-words.txt"
    missing = tmp_path / "missing.txt"
    done = run("parse", "--json", str(a), str(missing), str(b))
    assert done.returncode == 1
    lines = json_lines(done.stdout)
    assert [line["file"] for line in lines] == [str(a), str(missing), str(b)]
    assert lines[1] == {"file": str(missing), "error": "no such file"}
    assert lines[0]["cells"]["applications.granted.total"] == 3
    assert lines[2]["year"] == 2023
    assert b"Traceback" not in done.stderr


def test_record_has_every_field_of_the_spec() -> None:
    done = run("parse", "--json", str(CORPUS / "seed-traditional-legacy-free-form.txt"))
    assert done.returncode == 0
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
    done = run("parse", "--json", "-", stdin=text.encode("gb18030"))
    assert done.returncode == 0
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
    done = run("parse", "--json", str(path))
    assert b"Traceback" not in done.stderr
    (line,) = json_lines(done.stdout)
    if "error" in line:
        assert done.returncode == 1
    else:
        assert done.returncode == 0 and line["template"] == "unknown"
    if expected and "error" in expected:
        assert line["error"] == expected["error"]
    elif expected:
        assert line["template"] == expected["template"]
        assert [f["rule"] for f in line["findings"]] == expected["rules"]


def test_a_50_mb_file_is_refused_quickly(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.truncate(50 * 1024 * 1024)
    done = run("parse", "--json", str(big))
    assert done.returncode == 1
    (line,) = json_lines(done.stdout)
    assert "too large: 50.0 MB" in line["error"]


def test_human_summary_lists_findings() -> None:
    done = run("parse", str(CORPUS / "seed-wrong-article-blank-cell-row-lost-column.txt"))
    assert done.returncode == 0
    out = done.stdout.decode()
    assert "东乡县凤山乡 2020 · template 2019" in out
    assert "template.article_reference" in out and "cells.blank" in out


def test_usage_errors_exit_2_and_help_ends_in_an_example() -> None:
    assert run("parse").returncode == 2
    assert run("frobnicate").returncode == 2
    for args in (["--help"], ["parse", "--help"]):
        done = run(*args)
        assert done.returncode == 0
        assert "Example:" in done.stdout.decode()


def test_query_reads_the_archive_only_and_shows_what_it_reads(tmp_path: Path) -> None:
    db = tmp_path / "nianbao.db"
    assert run("parse", "--db", str(db), str(CORPUS / "layout-2021-tab-rows.txt")).returncode == 0
    for sql in (f"VACUUM INTO '{tmp_path / 'copy.db'}'", f"ATTACH '{tmp_path / 'x.db'}' AS x"):
        done = run("query", "--db", str(db), sql)
        assert done.returncode == 2 and b"ATTACH and VACUUM INTO are refused" in done.stderr
    assert not (tmp_path / "copy.db").exists() and not (tmp_path / "x.db").exists()
    # An escape sequence from a document is shown, not sent to the terminal.
    shown = run("query", "--db", str(db), "SELECT 'a' || char(27) || '[2J' AS t")
    assert b"\x1b" not in shown.stdout and b"a\\x1b[2J" in shown.stdout
    # Binary columns as base64 in JSON.
    binary = run("query", "--db", str(db), "SELECT data FROM document_bytes", "--format", "json")
    assert binary.returncode == 0 and json.loads(binary.stdout)[0]["data"].startswith("base64:")
