"""`nianbao check` and `nianbao alerts` on a real archive file, with a real SMTP server
(aiosmtpd on 127.0.0.1) receiving the digests."""

from __future__ import annotations

import email
import email.policy
from datetime import date
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from ingest import add_document
from monitor.config import ConfigError, load_config
from monitor.runner import run_checks
from storage.archive import Archive, Fetched
from tests.support import Inbox, free_port, invoke, mail_config, on_time_late_absent, report


@pytest.fixture
def archive(archive: Archive) -> Archive:
    return on_time_late_absent(archive)


def config(tmp_path: Path, port: int, extra: str = "") -> Path:
    return mail_config(
        tmp_path,
        port,
        f"""
[[subscription]]
email = "watch@example.org"
min_severity = "warning"

[[subscription]]
email = "county@example.org"
agencies = ["demo-county"]
rules = ["report.*"]
{extra}""",
    )


def rules(a: Archive, status: str = "open") -> set[tuple[str, int, str]]:
    return set(
        a.conn.execute(
            "SELECT agency_id, year, rule FROM findings WHERE status = ? "
            "AND rule IN ('report.missing', 'report.late')",
            (status,),
        )
    )


def test_check_finds_missing_and_late_and_resolves_what_stops_holding(archive: Archive) -> None:
    result = run_checks(archive, date(2024, 2, 1))
    assert rules(archive) == {
        ("demo-env", 2022, "report.late"),
        ("demo-env", 2023, "report.missing"),
        ("demo-county", 2022, "report.missing"),  # due 2023-03-31; 2023 is pending
    }
    assert result["new"] == result["open"]
    again = run_checks(archive, date(2024, 2, 1))
    assert (again["new"], again["resolved"], again["open"]) == (0, 0, result["open"])
    count = archive.conn.execute("SELECT count(*) FROM findings").fetchone()[0]
    add_document(
        archive, report(year=2023), Fetched(agency_id="demo-env", listed_date="2024-01-20")
    )
    third = run_checks(archive, date(2024, 2, 1))
    assert third["resolved"] >= 1
    assert ("demo-env", 2023, "report.missing") in rules(archive, "resolved")
    assert archive.conn.execute("SELECT count(*) FROM findings").fetchone()[0] >= count
    # --as-of earlier than the archive's: a what-if. As of then, deadlines had not yet
    # passed (archived reports still count, the late one stays late: its date is a fact),
    # and nothing of it is stored: the missing report stays missing.
    before = rules(archive)
    what_if = run_checks(archive, date(2023, 1, 15))
    assert what_if["what_if"] and what_if["missing"] == []
    assert what_if["rules"]["report.late"] == 1 and "report.missing" not in what_if["rules"]
    assert (
        rules(archive)
        == before
        == {
            ("demo-env", 2022, "report.late"),
            ("demo-county", 2022, "report.missing"),
        }
    )
    assert archive.conn.execute("SELECT value FROM settings WHERE key = 'as_of'").fetchone() == (
        "2024-02-01",
    )


def test_check_command_prints_what_it_found(archive: Archive, tmp_path: Path) -> None:
    # A report with a broken sum: its finding is opened by parsing, not by the checks.
    add_document(
        archive,
        report(year=2023, edit=("(七)总计\t13", "(七)总计\t14")),
        Fetched(agency_id="demo-env", listed_date="2024-01-20"),
    )
    args = ["check", "--db", str(tmp_path / "nianbao.db"), "--as-of", "2024-04-01"]
    args += ["--config", str(tmp_path / "none.toml")]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    # Chinese by default, by the rules' titles, never their keys.
    assert "报告缺失 2" in result.output and "报告逾期 1" in result.output
    (total,) = archive.conn.execute("SELECT count(*) FROM findings WHERE status = 'open'")
    assert total[0] > 3  # more than the checks' own
    assert f"存档中待处理问题共 {total[0]} 条" in result.output
    assert "办理结果合计不符" in result.output and "report.missing" not in result.output
    english = invoke(*args, "--lang", "en")
    assert f"{total[0]} open in the archive" in english.output
    assert "report missing 2" in english.output


def test_the_matrix_judges_as_of_the_last_check(archive: Archive) -> None:
    from storage.query import matrix

    run_checks(archive, date(2023, 1, 15))
    before = matrix(archive.conn)["demo-env"]
    assert list(before) == [2021, 2022]  # no column after the as-of date's year
    assert "late" in before[2022]
    run_checks(archive, date(2024, 4, 1))
    after = matrix(archive.conn)["demo-env"]
    assert list(after) == [2021, 2022, 2023] and after[2023] == ("missing",)


def test_digests_reach_each_subscriber_once(archive: Archive, smtp, tmp_path: Path) -> None:
    inbox, port = smtp
    run_checks(archive, date(2024, 4, 1))
    cfg = config(tmp_path, port)
    args = ["alerts", "--db", str(tmp_path / "nianbao.db"), "--config", str(cfg)]
    first = invoke(*args)
    assert first.exit_code == 0, first.output
    assert "2 digest(s) queued, 2 sent" in first.output
    by_address = {m["To"]: m for m in inbox.messages}
    watch = by_address["watch@example.org"]
    # carry.continuity is a warning, as docs/rules.md says (report.registry, one home).
    assert watch["Subject"] == "年报监测：2个单位7项新发现（3项错误），0项已解决"
    text = watch.get_body(("plain",)).get_content()
    html = watch.get_body(("html",)).get_content()
    # A summary first, then each agency by name, findings as sentences with advice.
    assert text.startswith("摘要\n新发现 7 项（错误 3、警告 4），涉及 2 个单位；已解决 0 项。")
    assert "按单位：某市生态环境局 5、某县人民政府 2" in text
    assert text.index("某市生态环境局（市级部门 · 某省某市）") < text.index("某县人民政府（")
    assert "报告发布于 2023-02-05，晚于截止日期 2023-01-31 共 5 天。" in text
    assert "建议：" in text and "含义：" in text
    assert "文件：file://" not in text  # only web addresses become links
    assert "栏目：http://127.0.0.1/nb/index.html" in text
    assert "report.late" not in text and "days_late" not in text  # no ids, no raw evidence
    assert "<h2>某市生态环境局（市级部门 · 某省某市）</h2>" in html
    assert "报告发布于 2023-02-05，晚于截止日期 2023-01-31 共 5 天。" in html
    assert "单元格空白" not in text  # info-level findings are below min_severity
    county = by_address["county@example.org"].get_body(("plain",)).get_content()
    assert "某市生态环境局" not in county and "报告缺失" in county
    # Nothing new: nothing sent.
    second = invoke(*args)
    assert "0 digest(s) queued, 0 sent" in second.output
    assert len(inbox.messages) == 2
    # A finding resolved: told once, in the resolved part.
    add_document(
        archive, report(year=2023), Fetched(agency_id="demo-env", listed_date="2024-01-20")
    )
    run_checks(archive, date(2024, 4, 1))
    third = invoke(*args)
    assert "1 digest(s) queued, 1 sent" in third.output
    last = inbox.messages[-1].get_body(("plain",)).get_content()
    assert "自上次通知以来已解决" in last and "某市生态环境局 2023年 报告缺失" in last
    assert invoke(*args).output.startswith("0 digest(s) queued")


def test_a_server_that_refuses_then_accepts_loses_and_duplicates_nothing(
    archive: Archive, smtp, tmp_path: Path
) -> None:
    inbox, port = smtp
    run_checks(archive, date(2024, 4, 1))
    args = ["alerts", "--db", str(tmp_path / "nianbao.db"), "--config", str(config(tmp_path, port))]
    inbox.refuse = True
    refused = invoke(*args)
    assert refused.exit_code == 1 and "left in the outbox" in refused.output
    assert inbox.messages == []
    inbox.refuse = False
    accepted = invoke(*args)
    assert accepted.exit_code == 0 and "0 digest(s) queued, 2 sent" in accepted.output
    assert invoke(*args).output.startswith("0 digest(s) queued, 0 sent")
    assert sorted(m["To"] for m in inbox.messages) == ["county@example.org", "watch@example.org"]


def test_a_server_that_is_down_keeps_the_outbox(archive: Archive, tmp_path: Path) -> None:
    run_checks(archive, date(2024, 4, 1))
    port = free_port()  # nothing listens there
    args = ["alerts", "--db", str(tmp_path / "nianbao.db"), "--config", str(config(tmp_path, port))]
    down = invoke(*args)
    assert down.exit_code == 1
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        up = invoke(*args)
    finally:
        controller.stop()
    assert up.exit_code == 0 and "2 sent" in up.output and len(inbox.messages) == 2


def test_dry_run_writes_eml_files_and_sends_nothing(archive: Archive, tmp_path: Path) -> None:
    run_checks(archive, date(2024, 4, 1))
    out = tmp_path / "eml"
    args = [
        "alerts",
        "--db",
        str(tmp_path / "nianbao.db"),
        "--config",
        str(config(tmp_path, free_port())),
        "--dry-run",
        str(out),
    ]
    result = invoke(*args)
    assert result.exit_code == 0 and "2 digest(s) written" in result.output
    files = sorted(p.name for p in out.glob("*.eml"))
    assert files == ["001-watch_at_example.org.eml", "002-county_at_example.org.eml"]
    message = email.message_from_bytes((out / files[0]).read_bytes(), policy=email.policy.default)
    assert "报告逾期" in message.get_body(("plain",)).get_content()
    assert archive.conn.execute("SELECT count(*) FROM outbox").fetchone() == (0,)


def test_alerts_switch_off_without_configuration(archive: Archive, tmp_path: Path) -> None:
    args = ["alerts", "--db", str(tmp_path / "nianbao.db"), "--config", str(tmp_path / "no.toml")]
    result = invoke(*args)
    assert result.exit_code == 0 and "alerts are off" in result.output


def test_secrets_stay_out_of_the_config_file(tmp_path: Path) -> None:
    path = config(tmp_path, 25)
    path.write_text(path.read_text().replace("starttls = false", 'password = "x"'))
    with pytest.raises(ConfigError, match="NIANBAO_SMTP_PASSWORD"):
        load_config(path)
    ok = config(tmp_path, 25)
    env = {"NIANBAO_SMTP_USER": "u", "NIANBAO_SMTP_PASSWORD": "p", "NIANBAO_SMTP_PORT": "2525"}
    mail = load_config(ok, env).mail
    assert (mail.user, mail.password, mail.port) == ("u", "p", 2525)


def test_one_refused_address_never_holds_back_the_others(
    archive: Archive, smtp, tmp_path: Path
) -> None:
    inbox, port = smtp
    run_checks(archive, date(2024, 4, 1))
    inbox.unknown = {"county@example.org"}
    args = ["alerts", "--db", str(tmp_path / "nianbao.db"), "--config", str(config(tmp_path, port))]
    first = invoke(*args)
    assert first.exit_code == 1
    assert "county@example.org: refused by the server (550" in first.output
    assert [m["To"] for m in inbox.messages] == ["watch@example.org"]  # the other one went
    # Refused for good: not tried again at once, but kept, with when it is tried next.
    again = invoke(*args)
    assert inbox.rcpt.count("county@example.org") == 1 and "0 sent" in again.output
    (attempts, error, next_at) = archive.conn.execute(
        "SELECT attempts, last_error, next_attempt_at FROM outbox WHERE address = ?",
        ("county@example.org",),
    ).fetchone()
    assert attempts == 1 and error.startswith("550") and next_at is not None
    # Its subscription removed: the queued message is dropped, never sent.
    text = (tmp_path / "nianbao.toml").read_text(encoding="utf-8")
    (tmp_path / "nianbao.toml").write_text(
        text.split('[[subscription]]\nemail = "county@example.org"')[0], encoding="utf-8"
    )
    archive.conn.execute("UPDATE outbox SET next_attempt_at = NULL")
    dropped = invoke(*args)
    assert dropped.exit_code == 0 and "1 queued digest(s) dropped" in dropped.output
    assert inbox.rcpt.count("county@example.org") == 1


def test_one_alerts_run_at_a_time(archive: Archive, smtp, tmp_path: Path) -> None:
    import fcntl

    _, port = smtp
    args = ["alerts", "--db", str(tmp_path / "nianbao.db"), "--config", str(config(tmp_path, port))]
    with open(tmp_path / "nianbao.db.alerts.lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another run holds it
        busy = invoke(*args)
    assert busy.exit_code == 2 and "another `nianbao alerts` is running" in busy.output
    assert archive.conn.execute("SELECT count(*) FROM outbox").fetchone() == (0,)


def test_an_english_digest_is_english_throughout_and_links_the_report(
    archive: Archive, tmp_path: Path
) -> None:
    run_checks(archive, date(2024, 4, 1))
    path = tmp_path / "nianbao.toml"
    path.write_text(
        '[mail]\nhost = "127.0.0.1"\nsender = "nianbao@example.org"\n'
        'report_url = "https://watch.example.org/report.html"\n\n'
        '[[subscription]]\nemail = "editor@example.org"\nlanguage = "en"\n'
        'rules = ["report.*"]\n',
        encoding="utf-8",
    )
    out = tmp_path / "eml"
    done = invoke(
        "alerts", "--db", str(tmp_path / "nianbao.db"), "--config", str(path), "--dry-run", str(out)
    )
    assert done.exit_code == 0, done.output
    (eml,) = out.glob("*.eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert message["Subject"] == "nianbao: 5 new findings for 2 agencies (3 errors), 0 resolved"
    text = message.get_body(("plain",)).get_content()
    assert text.startswith("Summary\n5 new finding(s) (error 3, warning 2) for 2 agencies")
    assert "Published on 2023-02-05, 5 day(s) after the deadline 2023-01-31." in text
    assert "compliance report: https://watch.example.org/report.html#demo-env-2022" in text
    assert not any(
        "\u4e00" <= ch <= "\u9fff"
        for ch in text.replace("某市生态环境局", "")
        .replace("某县人民政府", "")
        .replace("某省某市某县", "")
        .replace("某省某市", "")
    )


@pytest.mark.slow
def test_a_server_slow_to_accept_a_digest_is_waited_for(
    archive: Archive, smtp, tmp_path: Path
) -> None:
    """RFC 5321 gives the server 10 minutes to answer the end of DATA: one that takes 31 s
    (a digest checked before it is accepted) gets each digest once, not again each run."""
    inbox, port = smtp
    inbox.data_seconds = 31
    run_checks(archive, date(2024, 4, 1))
    args = ["alerts", "--db", str(tmp_path / "nianbao.db"), "--config", str(config(tmp_path, port))]
    first = invoke(*args)
    assert first.exit_code == 0, first.output
    assert "2 digest(s) queued, 2 sent" in first.output
    again = invoke(*args)
    assert again.exit_code == 0 and len(inbox.messages) == 2


def test_a_digest_whose_delivery_is_uncertain_is_sent_again_under_its_message_id(
    archive: Archive, smtp, tmp_path: Path
) -> None:
    """The server keeps the message but the connection drops before its answer: the
    digest is kept as uncertain, said so, and sent once more on the next run under the
    same Message-ID (a mail client that got both shows one); nothing else waits for it."""
    inbox, port = smtp
    run_checks(archive, date(2024, 4, 1))
    inbox.drop = {"watch@example.org"}
    args = ["alerts", "--db", str(tmp_path / "nianbao.db"), "--config", str(config(tmp_path, port))]
    first = invoke(*args)
    assert first.exit_code == 1
    assert "watch@example.org: delivery uncertain" in first.output
    assert "1 sent" in first.output  # the county's went
    (uncertain_at, message_id, sent_at) = archive.conn.execute(
        "SELECT uncertain_at, message_id, sent_at FROM outbox WHERE address = ?",
        ("watch@example.org",),
    ).fetchone()
    assert uncertain_at is not None and sent_at is None
    again = invoke(*args)
    assert again.exit_code == 0, again.output
    assert "watch@example.org: sent again under its Message-ID" in again.output
    watched = [m["Message-ID"] for m in inbox.messages if m["To"] == "watch@example.org"]
    assert watched == [message_id, message_id]
    assert invoke(*args).output.startswith("0 digest(s) queued, 0 sent")


def test_a_slow_digest_holds_back_no_other(archive: Archive, smtp, tmp_path: Path) -> None:
    """The first digest's server takes seconds to accept it: the second, on a connection
    of its own, arrives first."""
    inbox, port = smtp
    run_checks(archive, date(2024, 4, 1))
    inbox.slow = {"watch@example.org": 3.0}
    args = ["alerts", "--db", str(tmp_path / "nianbao.db"), "--config", str(config(tmp_path, port))]
    result = invoke(*args)
    assert result.exit_code == 0 and "2 sent" in result.output
    assert [m["To"] for m in inbox.messages] == ["county@example.org", "watch@example.org"]
