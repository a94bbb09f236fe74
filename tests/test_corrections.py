"""People correct what nianbao got wrong, through the CLI on a real archive file: a misread
cell (`nianbao correct`), kept through `reparse`; a report nianbao could not find
(`nianbao add-report`), fetched from a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

from tests.corpus import make_layouts as layouts
from tests.support import SOURCES, invoke

AGENCY = "某市生态环境局"
# 14 where the report says 13: the parser reads what is printed, the person knows better.
MISPRINT = ("(七)总计\t13", "(七)总计\t14")
KEY = "applications.total.natural_person"


def _archive(workdir: Path, edit: tuple[str, str] = ("", "")) -> int:
    (workdir / "agencies.toml").write_text(SOURCES, encoding="utf-8")
    text = layouts.render(AGENCY, 2023, "2021", "tabs").replace(*edit)
    (workdir / "2023.txt").write_text(text, encoding="utf-8")
    done = invoke(
        "parse", "--db", "nianbao.db", "--sources", "agencies.toml", "2023.txt", cwd=workdir
    )
    assert done.exit_code == 0, done.stderr
    conn = sqlite3.connect(workdir / "nianbao.db")
    (report_id,) = conn.execute("SELECT id FROM reports").fetchone()
    conn.close()
    return report_id


def _errors(workdir: Path) -> set[str]:
    done = invoke("findings", "--format", "json", "--agency", "demo-env", cwd=workdir)
    return {f["rule"] for f in json.loads(done.stdout) if f["severity"] == "error"}


def _cell(workdir: Path, key: str) -> float | None:
    conn = sqlite3.connect(workdir / "nianbao.db")
    try:
        return conn.execute(
            "SELECT c.value FROM cell_values c JOIN reports r ON r.id = c.report_id "
            "WHERE r.is_latest = 1 AND c.key = ?",
            (key,),
        ).fetchone()[0]
    finally:
        conn.close()


def test_a_corrected_cell_is_kept_and_its_checks_recomputed(tmp_path: Path) -> None:
    report_id = _archive(tmp_path, MISPRINT)
    assert _cell(tmp_path, KEY) == 14 and "applications.balance" in _errors(tmp_path)
    done = invoke(
        "correct",
        str(report_id),
        KEY,
        "13",
        "--note",
        "原件印刷错误，已电话核实",
        "--by",
        "王芳",
        cwd=tmp_path,
    )
    assert done.exit_code == 0, done.stderr
    assert "14 (as read) → 13" in done.stdout
    assert _cell(tmp_path, KEY) == 13
    assert _errors(tmp_path) == set()  # the sums hold with the corrected cell
    conn = sqlite3.connect(tmp_path / "nianbao.db")
    assert conn.execute(
        "SELECT key, parsed_value, value, note, reviewer FROM corrections"
    ).fetchall() == [(KEY, 14.0, 13.0, "原件印刷错误，已电话核实", "王芳")]
    # A new parser version reads the document again: the correction stays.
    conn.execute("UPDATE reports SET record_hash = 'an older parser'")
    conn.commit()
    conn.close()
    again = invoke("reparse", cwd=tmp_path)
    assert again.exit_code == 0, again.stderr
    assert "updated: 1" in again.stdout
    assert _cell(tmp_path, KEY) == 13 and _errors(tmp_path) == set()


def test_a_correction_the_parser_comes_to_agree_with_is_noted(tmp_path: Path) -> None:
    report_id = _archive(tmp_path)
    # Someone "corrects" 13 to 14, then changes their mind back to what was printed.
    assert invoke("correct", str(report_id), KEY, "14", "--note", "x", cwd=tmp_path).exit_code == 0
    assert "applications.balance" in _errors(tmp_path)
    conn = sqlite3.connect(tmp_path / "nianbao.db")
    conn.execute("UPDATE corrections SET parsed_value = 14")  # as if an older parser read 14
    conn.execute("UPDATE corrections SET value = 13")
    conn.execute("UPDATE reports SET record_hash = 'an older parser'")
    conn.commit()
    done = invoke("reparse", cwd=tmp_path)
    assert "corrections_now_parsed: 1" in done.stdout, done.stdout
    assert conn.execute("SELECT parser_agrees FROM corrections").fetchone()[0] is not None
    conn.close()
    assert _errors(tmp_path) == set()


def test_correct_refuses_what_it_cannot_take(tmp_path: Path) -> None:
    report_id = _archive(tmp_path)
    unknown = invoke(
        "correct", str(report_id), "applications.nonsense", "3", "--note", "x", cwd=tmp_path
    )
    assert unknown.exit_code == 2 and "has no cell 'applications.nonsense'" in unknown.stderr
    nowhere = invoke("correct", "999", KEY, "3", "--note", "x", cwd=tmp_path)
    assert nowhere.exit_code == 2 and "no report 999" in nowhere.stderr
    for bad in ("-1", "three"):
        done = invoke("correct", str(report_id), KEY, bad, "--note", "x", cwd=tmp_path)
        assert done.exit_code == 2 and "Traceback" not in done.stderr


class _Page(BaseHTTPRequestHandler):
    pages: ClassVar[dict[str, bytes]] = {}

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        body = self.pages.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.end_headers()
        self.wfile.write(body or b"not here")


def test_add_report_files_what_a_person_points_to(tmp_path: Path) -> None:
    _archive(tmp_path)
    _Page.pages = {
        "/nb/2022.txt": layouts.render(AGENCY, 2022, "2021", "tabs").encode(),
        "/nb/other.txt": layouts.render("某县人民政府", 2022, "2021", "tabs").encode(),
    }
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        done = invoke("add-report", "demo-env", "2022", f"{url}/nb/2022.txt", cwd=tmp_path)
        assert done.exit_code == 0, done.stderr
        assert "new_report: report 2 (demo-env 2022)" in done.stdout
        conn = sqlite3.connect(tmp_path / "nianbao.db")
        assert conn.execute(
            "SELECT d.source_url FROM reports r JOIN documents d ON d.sha256 = r.document_sha256 "
            "WHERE r.agency_id = 'demo-env' AND r.year = 2022"
        ).fetchone() == (f"{url}/nb/2022.txt",)
        conn.close()
        # The same again adds nothing; a document naming another agency is filed as it says.
        again = invoke("add-report", "demo-env", "2022", f"{url}/nb/2022.txt", cwd=tmp_path)
        assert "already archived: report 2 (demo-env 2022)" in again.stdout
        other = invoke("add-report", "demo-env", "2022", f"{url}/nb/other.txt", cwd=tmp_path)
        assert other.exit_code == 0, other.stderr
        assert (
            "demo-county 2022" in other.stdout and "is not demo-env's 2022 report" in other.stdout
        )
        gone = invoke("add-report", "demo-env", "2021", f"{url}/nb/gone.txt", cwd=tmp_path)
        assert gone.exit_code == 2 and "HTTP 404" in gone.stderr
        stranger = invoke("add-report", "nobody", "2022", f"{url}/nb/2022.txt", cwd=tmp_path)
        assert stranger.exit_code == 2 and "no agency 'nobody'" in stranger.stderr
    finally:
        server.shutdown()
        server.server_close()
