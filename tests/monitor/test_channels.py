"""Digests to channels beside e-mail (apprise URLs: DingTalk, WeCom, Feishu, json://):
through the same outbox, once per channel and finding, retried while the channel is
down, a failing channel costing only itself. The channel is a real HTTP receiver on
127.0.0.1 (apprise's json:// posts the digest to it)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from monitor.config import ConfigError, load_config
from monitor.runner import run_checks
from storage.archive import Archive
from tests.support import invoke, mail_config, on_time_late_absent


class Receiver:
    """A webhook on 127.0.0.1 that keeps what is posted to it; answers 503 while down."""

    def __init__(self) -> None:
        self.posts: list[dict] = []
        self.down = False
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if receiver.down:
                    self.send_response(503)
                else:
                    receiver.posts.append(json.loads(body))
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"json://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    hook = Receiver()
    yield hook
    hook.close()


@pytest.fixture
def archive(archive: Archive) -> Archive:
    return on_time_late_absent(archive)


def test_a_channel_is_told_once_and_again_after_it_was_down(
    archive: Archive, smtp, receiver: Receiver, tmp_path: Path
) -> None:
    inbox, port = smtp
    run_checks(archive, date(2024, 4, 1))
    config = mail_config(
        tmp_path,
        port,
        f"""
[[subscription]]
email = "watch@example.org"
notify = ["{receiver.url}"]
""",
    )
    args = ["alerts", "--db", str(tmp_path / "nianbao.db"), "--config", str(config)]
    receiver.down = True
    first = invoke(*args)
    assert first.exit_code == 1 and "2 digest(s) queued, 1 sent" in first.output
    assert "json://127.0.0.1" in first.output and "/hook" not in first.output  # no token shown
    assert [m["To"] for m in inbox.messages] == ["watch@example.org"]  # the mail still went
    assert receiver.posts == []
    receiver.down = False
    second = invoke(*args)
    assert second.exit_code == 0 and "0 digest(s) queued, 1 sent" in second.output
    (post,) = receiver.posts
    assert "报告逾期" in post["message"] and "报告缺失" in post["message"]
    assert post["title"] == inbox.messages[0]["Subject"]  # the same digest as the mail
    third = invoke(*args)
    assert third.output.startswith("0 digest(s) queued, 0 sent") and len(receiver.posts) == 1


def test_channels_alone_need_no_mail_server(
    archive: Archive, receiver: Receiver, tmp_path: Path
) -> None:
    run_checks(archive, date(2024, 4, 1))
    config = tmp_path / "nianbao.toml"
    config.write_text(
        f'[[subscription]]\nnotify = ["{receiver.url}"]\nlanguage = "en"\n', encoding="utf-8"
    )
    done = invoke("alerts", "--db", str(tmp_path / "nianbao.db"), "--config", str(config))
    assert done.exit_code == 0 and "1 digest(s) queued, 1 sent" in done.output
    (post,) = receiver.posts
    assert "late" in post["message"]


@pytest.mark.parametrize(
    ("subscription", "says"),
    [
        ('notify = ["nosuch://x"]', "not a channel URL apprise knows"),
        ('notify = "json://127.0.0.1/x"', "notify must be a list of strings"),
        ('agencies = ["*"]', "email or notify \\(channel URLs\\) is required"),
    ],
)
def test_a_bad_channel_is_refused_in_one_line(tmp_path: Path, subscription: str, says: str) -> None:
    path = tmp_path / "nianbao.toml"
    path.write_text(f"[[subscription]]\n{subscription}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=says):
        load_config(path)
