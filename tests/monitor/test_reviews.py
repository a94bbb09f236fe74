"""A person's review of a finding, through the CLI on a real archive file and a real SMTP
server: a dismissed finding survives `check`, `reparse` and the same document archived
again, counts against nobody, and is reopened — and told again — when its document
changes."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.corpus import make_layouts as layouts
from tests.support import SOURCES, invoke, mail_config

BROKEN = ("(七)总计\t13", "(七)总计\t14")
WORSE = ("(七)总计\t13", "(七)总计\t15")
WATCH = '[[subscription]]\nemail = "w@example.org"\nagencies = ["demo-env"]\n'


def _parse(workdir: Path, name: str, edit: tuple[str, str]) -> None:
    text = layouts.render("某市生态环境局", 2023, "2021", "tabs").replace(*edit)
    (workdir / name).write_text(text, encoding="utf-8")
    done = invoke("parse", "--db", "nianbao.db", "--sources", "agencies.toml", name, cwd=workdir)
    assert done.exit_code == 0, done.stderr


def _errors(workdir: Path, *args: str) -> list[dict]:
    done = invoke(
        "findings", "--format", "json", "--agency", "demo-env", "--year", "2023", *args, cwd=workdir
    )
    return [f for f in json.loads(done.stdout) if f["severity"] == "error"]


def _cell(workdir: Path) -> list[str]:
    return json.loads(invoke("matrix", "--format", "json", cwd=workdir).stdout)["demo-env"]["2023"]


def test_a_dismissed_finding_stays_dismissed_until_its_evidence_changes(
    smtp, tmp_path: Path
) -> None:
    inbox, port = smtp
    (tmp_path / "agencies.toml").write_text(SOURCES, encoding="utf-8")
    config = mail_config(tmp_path, port, WATCH)
    _parse(tmp_path, "2023.txt", BROKEN)
    found = _errors(tmp_path)
    assert {f["rule"] for f in found} >= {"applications.balance"} and _cell(tmp_path) == [
        "inconsistent"
    ]
    assert invoke("alerts", "--config", str(config), cwd=tmp_path).exit_code == 0
    assert len(inbox.messages) == 1

    for f in found:
        done = invoke(
            "review",
            str(f["id"]),
            "--dismiss",
            "--note",
            "表格由人工核对无误",
            "--by",
            "王芳",
            cwd=tmp_path,
        )
        assert done.exit_code == 0, done.stderr
        assert f"finding {f['id']} " in done.stdout and "open → dismissed" in done.stdout
    assert _errors(tmp_path) == []  # open ones: none
    dismissed = _errors(tmp_path, "--review", "dismissed")
    assert {f["id"] for f in dismissed} == {f["id"] for f in found}
    assert {(f["review"], f["review_note"], f["reviewer"]) for f in dismissed} == {
        ("dismiss", "表格由人工核对无误", "王芳")
    }
    assert _cell(tmp_path) != ["inconsistent"]  # counts against nobody
    # The report lists them as reviewed, with the note and the finding's number.
    from output.compliance import gather

    conn = sqlite3.connect(tmp_path / "nianbao.db")
    (row,) = [a for a in gather(conn)["agencies"] if a["id"] == "demo-env"]
    conn.close()
    listed = {f["id"]: f for f in row["cells"][2023]["findings"]}
    assert all(listed[f["id"]]["dismissed"] for f in found)
    assert {listed[f["id"]]["review_note"] for f in found} == {"表格由人工核对无误"}

    # check, reparse and the same document archived again keep the dismissal.
    assert invoke("check", "--as-of", "2024-06-01", cwd=tmp_path).exit_code == 0
    assert invoke("reparse", cwd=tmp_path).exit_code == 0
    _parse(tmp_path, "again.txt", BROKEN)
    assert _errors(tmp_path) == [] and len(_errors(tmp_path, "--review", "dismissed")) == len(found)
    assert invoke("alerts", "--config", str(config), cwd=tmp_path).exit_code == 0
    assert len(inbox.messages) == 1  # nothing new to tell

    # A new version whose numbers differ: the evidence changed, the dismissal lapses.
    _parse(tmp_path, "2023-v2.txt", WORSE)
    reopened = {f["id"]: f for f in _errors(tmp_path)}
    balance = next(f for f in found if f["rule"] == "applications.balance")
    assert balance["id"] in reopened and reopened[balance["id"]]["review"] == "lapse"
    assert _cell(tmp_path) == ["inconsistent"]
    conn = sqlite3.connect(tmp_path / "nianbao.db")
    actions = [
        a
        for (a,) in conn.execute(
            "SELECT action FROM reviews WHERE finding_id = ? ORDER BY id", (balance["id"],)
        )
    ]
    assert actions == ["dismiss", "lapse"]
    assert invoke("alerts", "--config", str(config), cwd=tmp_path).exit_code == 0
    assert len(inbox.messages) == 2
    text = inbox.messages[-1].get_body(("plain",)).get_content()
    assert "现重新出现" in text and f"发现编号 {balance['id']}" in text


def test_review_refuses_what_it_cannot_do(tmp_path: Path) -> None:
    (tmp_path / "agencies.toml").write_text(SOURCES, encoding="utf-8")
    _parse(tmp_path, "2023.txt", BROKEN)
    (first, *_) = _errors(tmp_path)
    nowhere = invoke("review", "999999", "--dismiss", "--note", "x", cwd=tmp_path)
    assert nowhere.exit_code != 0 and "no finding 999999" in nowhere.stderr
    no_action = invoke("review", str(first["id"]), "--note", "x", cwd=tmp_path)
    assert no_action.exit_code == 2 and "--dismiss, --confirm or --reopen" in no_action.stderr
    blank = invoke("review", str(first["id"]), "--dismiss", "--note", " ", cwd=tmp_path)
    assert blank.exit_code == 2
    done = invoke("review", str(first["id"]), "--confirm", "--note", "核实", cwd=tmp_path)
    assert done.exit_code == 0 and "open → open" in done.stdout
    assert _errors(tmp_path, "--review", "confirmed")[0]["id"] == first["id"]


def test_a_finding_told_resolved_that_comes_back_is_told_again(smtp, tmp_path: Path) -> None:
    inbox, port = smtp
    (tmp_path / "agencies.toml").write_text(SOURCES, encoding="utf-8")
    config = mail_config(tmp_path, port, WATCH + 'rules = ["applications.*"]\n')

    def tell() -> str:
        before = len(inbox.messages)
        assert invoke("alerts", "--config", str(config), cwd=tmp_path).exit_code == 0
        assert len(inbox.messages) == before + 1
        return inbox.messages[-1].get_body(("plain",)).get_content()

    _parse(tmp_path, "v1.txt", BROKEN)
    assert "现重新出现" not in tell()
    _parse(tmp_path, "v2.txt", ("", ""))  # corrected: the findings resolve
    assert "自上次通知以来已解决" in tell()
    _parse(tmp_path, "v3.txt", WORSE)  # broken again: the same findings come back
    text = tell()
    assert "现重新出现" in text and "自上次通知以来已解决" not in text
