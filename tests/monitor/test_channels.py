"""Digests to channels beside e-mail (apprise URLs: DingTalk, WeCom, Feishu, json://):
through the same outbox, once per channel and finding, retried while the channel is
down, a failing channel costing only itself. The channel is a real HTTP receiver on
127.0.0.1 (apprise's json:// posts the digest to it)."""

from __future__ import annotations

import datetime as dt
import json
import re
import socketserver
import ssl
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


def _certificate(folder: Path, host: str) -> tuple[Path, Path]:
    """A self-signed certificate and its key for ``host``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "bot.crt", folder / "bot.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


class WeComBot:
    """WeCom's group-bot webhook as it answers, on 127.0.0.1. apprise's wecombot:// posts
    to qyapi.weixin.qq.com only; here HTTPS_PROXY sends that to a proxy on 127.0.0.1 which
    ends the TLS itself (a certificate made here; the URL says verify=no) and answers in
    WeCom's format: {"errcode": 0} for a text of at most 2048 bytes, errcode 40058 (and
    HTTP 200, as WeCom does) for a longer one, 503 while down."""

    HOST = "qyapi.weixin.qq.com"

    def __init__(self, folder: Path) -> None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*_certificate(folder, self.HOST))
        self.posts: list[tuple[str, dict]] = []
        self.refused: list[int] = []
        self.tunnels: list[str] = []
        self.down = False
        bot = self

        class Hook(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                data = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status, reply = 200, {"errcode": 0, "errmsg": "ok"}
                size = len(data["text"]["content"].encode())
                if bot.down:
                    status, reply = 503, {}
                elif size > 2048:
                    bot.refused.append(size)
                    reply = {"errcode": 40058, "errmsg": "content exceed max length 2048"}
                else:
                    bot.posts.append((self.path, data))
                out = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *_: object) -> None:
                pass

        class Tunnel(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                bot.tunnels.append(self.rfile.readline().decode().split()[1])
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
                tls = context.wrap_socket(self.connection, server_side=True)
                Hook(tls, self.client_address, self.server)

        socketserver.ThreadingTCPServer.daemon_threads = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Tunnel)
        self.proxy = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def wecom(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[WeComBot]:
    bot = WeComBot(tmp_path)
    monkeypatch.setenv("HTTPS_PROXY", bot.proxy)
    for name in ("NO_PROXY", "no_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    yield bot
    bot.close()


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


def test_a_wecom_bot_is_told_once_and_again_after_it_was_down(
    archive: Archive, wecom: WeComBot, tmp_path: Path
) -> None:
    """The digest reaches a webhook in WeCom's own format (wecombot://), in messages of at
    most 2048 bytes however many findings it tells; down, it is told on the next run; told,
    never again."""
    from storage.findings import Found, store

    # Twelve more findings than the archive's: a digest that one WeCom message cannot hold
    # (and apprise waits 5.5 s between a channel's messages: a few parts are enough).
    many = [
        Found("demo-env", "demo-env", None, 2010 + n % 10, None, f)
        for n in range(12)
        for f in [
            {
                "rule": "template.missing_row",
                "severity": "warning",
                "message": "m",
                "evidence": {"key": f"t{n}", "table": "三", "rows": [f"第{n}行"] * 8},
            }
        ]
    ]
    with archive.batch():
        store(archive.conn, many, "2024-04-01")
    run_checks(archive, date(2024, 4, 1))
    config = tmp_path / "nianbao.toml"
    config.write_text(
        '[[subscription]]\nnotify = ["wecombot://BOTKEY/?verify=no"]\n', encoding="utf-8"
    )
    args = ["alerts", "--db", str(tmp_path / "nianbao.db"), "--config", str(config)]
    wecom.down = True
    first = invoke(*args)
    assert first.exit_code == 1 and "0 sent" in first.output and wecom.posts == []
    assert "wecombot://…" in first.output and "BOTKEY" not in first.output
    wecom.down = False
    second = invoke(*args)
    assert second.exit_code == 0 and "0 digest(s) queued, 1 sent" in second.output
    assert wecom.refused == [] and len(wecom.posts) > 1
    assert {path for path, _ in wecom.posts} == {"/cgi-bin/webhook/send?key=BOTKEY"}
    assert set(wecom.tunnels) == {f"{WeComBot.HOST}:443"}
    told = "".join(post["text"]["content"] for _, post in wecom.posts)
    assert "报告逾期" in told and "报告缺失" in told
    stated = re.search(r"新发现 (\d+) 项", told)
    assert stated and told.count("发现编号") == int(stated.group(1)) > 12
    assert all(len(post["text"]["content"].encode()) <= 2048 for _, post in wecom.posts)
    sent = len(wecom.posts)
    third = invoke(*args)
    assert third.output.startswith("0 digest(s) queued, 0 sent") and len(wecom.posts) == sent


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
