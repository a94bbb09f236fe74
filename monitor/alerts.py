"""Alert digests: each subscriber gets the findings not yet told to them and what was
resolved since (monitor/digest.py writes the message), through the outbox, so a server
that is down loses nothing and a finding is told once to each address."""

from __future__ import annotations

import contextlib
import email.policy
import smtplib
import sqlite3
import ssl
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from monitor.config import Config, Mail, Subscription, is_channel, shown
from monitor.digest import compose
from parsers.dates import now
from report.findings import SEVERITIES
from storage import outbox
from storage.query import agencies


def _wanted(sub: Subscription, row: dict[str, Any]) -> bool:
    return (
        any(fnmatchcase(row["agency_id"] or "", p) for p in sub.agencies)
        and any(fnmatchcase(row["rule"], p) for p in sub.rules)
        and SEVERITIES.index(row["severity"]) >= SEVERITIES.index(sub.min_severity)
    )


def pending_for(conn: sqlite3.Connection, sub: Subscription, address: str) -> tuple[list, list]:
    """(new findings, resolved findings) this subscriber's ``address`` (its e-mail or one
    of its channels, each told on its own) has not been told about."""
    new, resolved = outbox.untold(conn, address)
    return [r for r in new if _wanted(sub, r)], [r for r in resolved if _wanted(sub, r)]


def _links(conn: sqlite3.Connection, rows: Iterable[dict[str, Any]]) -> None:
    """Each finding's document: the one its report was read from, when it has a report
    (the digest links the agency's column separately); only web addresses become links."""
    for row in rows:
        link = outbox.source_link(conn, row["report_id"], None) if row["report_id"] else ""
        row["link"] = link if urlsplit(link).scheme in ("http", "https") else None


def _now_dt() -> datetime:
    return datetime.fromisoformat(now())


def _digest(
    conn: sqlite3.Connection, config: Config, sub: Subscription, address: str
) -> tuple[EmailMessage, list[dict], list[dict]] | None:
    """The digest ``address`` is owed now, with what it tells; None when nothing is new.
    A channel gets the same message; its plain text is what is posted."""
    new, resolved = pending_for(conn, sub, address)
    if not new and not resolved:
        return None
    _links(conn, new)
    sender = config.mail.sender if config.mail else "nianbao@localhost"
    report_url = config.mail.report_url if config.mail else None
    to = address if not is_channel(address) else sender
    msg = compose(to, sender, new, resolved, agencies(conn), sub.language, report_url)
    msg["Date"] = format_datetime(_now_dt())
    msg["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    return msg, new, resolved


def _addresses(config: Config) -> list[tuple[Subscription, str]]:
    return [(sub, address) for sub in config.subscriptions for address in sub.addresses]


def queue(conn: sqlite3.Connection, config: Config) -> int:
    """Put one digest per address (e-mail or channel) with something to tell into the
    outbox; returns how many. Each digest and the record of what it tells are one
    transaction. Without [mail], only channels are served."""
    queued = 0
    for sub, address in _addresses(config):
        if config.mail is None and not is_channel(address):
            continue
        digest = _digest(conn, config, sub, address)
        if digest is None:
            continue
        msg, new, resolved = digest
        outbox.enqueue(
            conn,
            address,
            msg["Subject"],
            # CRLF line ends, as SMTP carries them (bytes are sent unchanged).
            msg.as_bytes(policy=email.policy.SMTP),
            [r["fingerprint"] for r in new],
            [r["fingerprint"] for r in resolved],
            now(),
            msg["Message-ID"],
        )
        queued += 1
    return queued


def preview(conn: sqlite3.Connection, config: Config, out_dir: Path) -> list[Path]:
    """--dry-run: what queue would send, written as .eml files; the archive is not touched."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for n, (sub, address) in enumerate(_addresses(config), 1):
        digest = _digest(conn, config, sub, address)
        if digest is None:
            continue
        name = address.replace("@", "_at_") if not is_channel(address) else address.split(":")[0]
        path = out_dir / f"{n:03d}-{name}.eml"
        path.write_bytes(digest[0].as_bytes())
        written.append(path)
    return written


CONNECT_SECONDS = 30
# RFC 5321 4.5.3.2: a client waits 10 minutes for the server's reply to the end of DATA
# (a server may check the whole message before it answers); 5 for the other replies.
REPLY_SECONDS = 600


class _Told:
    """Notes when the end of a message's data (CRLF.CRLF) has gone to the server: a
    connection lost after that may have delivered it."""

    data_ended = False

    def send(self, s: Any) -> None:
        super().send(s)  # type: ignore[misc]
        if isinstance(s, bytes) and s.endswith(b"\r\n.\r\n"):
            self.data_ended = True


class _Client(_Told, smtplib.SMTP):
    pass


class _SSLClient(_Told, smtplib.SMTP_SSL):
    pass


def _connect(mail: Mail) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if mail.ssl:
        server: smtplib.SMTP = _SSLClient(
            mail.host, mail.port, timeout=CONNECT_SECONDS, context=context
        )
    else:
        server = _Client(mail.host, mail.port, timeout=CONNECT_SECONDS)
        if mail.starttls:
            server.starttls(context=context)
    if server.sock is not None:  # connected: now the replies may take as long as RFC allows
        server.sock.settimeout(REPLY_SECONDS)
    if mail.user:
        server.login(mail.user, mail.password or "")
    return server


@dataclass
class Sending:
    """What one sending run did: messages sent, refused (per address), sent again after
    an uncertain delivery, and the error that stopped it when the server itself could
    not be used."""

    sent: int = 0
    refused: dict[str, str] = field(default_factory=dict)  # address → the server's answer
    uncertain: dict[str, str] = field(default_factory=dict)  # address → what happened
    again: list[str] = field(default_factory=list)  # sent again after an uncertain delivery
    stopped: str | None = None


# Digests sent side by side, each on its own connection: a server slow to accept one
# (it may check a message for up to REPLY_SECONDS) holds back no other.
CONNECTIONS = 4


# The most a message may hold, in UTF-8 bytes, on the channels that refuse longer ones:
# WeCom group bots 2048 (text), DingTalk 20000, Feishu/Lark 30000. apprise counts
# characters, three bytes each in Chinese, and passes an overlong body on whole.
CHANNEL_BYTES = {"wecombot": 2048, "dingtalk": 20000, "feishu": 30000, "lark": 30000}


def parts(text: str, limit: int) -> list[str]:
    """``text`` cut at line ends into pieces of at most ``limit`` UTF-8 bytes each (a line
    longer than that cut where it must)."""
    out: list[str] = []
    piece = ""
    for line in text.splitlines(keepends=True):
        while len(line.encode()) > limit:
            out.append(piece)
            cut = len(line.encode()[:limit].decode(errors="ignore"))
            piece, line = line[:cut], line[cut:]
        if len((piece + line).encode()) > limit:
            out.append(piece)
            piece = ""
        piece += line
    out.append(piece)
    return [p for p in out if p.strip()]


def _post(address: str, message: bytes) -> tuple[str, str]:
    """One digest to a channel (apprise): its subject as the title, its plain text as a
    markdown body, in as many messages as the channel's length limit needs (numbered in
    the title). ``sent`` or ``refused`` (the channel down or refusing: tried again later,
    costing no other address)."""
    import apprise

    digest = email.message_from_bytes(message, policy=email.policy.default)
    body = digest.get_body(("plain",))
    text = body.get_content() if body is not None else ""
    subject = str(digest["Subject"] or "")
    channel = apprise.Apprise()
    channel.add(address)
    limit = CHANNEL_BYTES.get(address.partition("://")[0].lower())
    # Room for the title, which a channel without one puts at the body's head.
    pieces = parts(text, limit - len(subject.encode()) - 64) if limit else [text]
    try:
        # A channel that fails part-way is asked again for the whole: a part may come
        # twice, never none.
        for n, piece in enumerate(pieces, 1):
            title = f"{subject}（{n}/{len(pieces)}）" if len(pieces) > 1 else subject
            if not channel.notify(
                title=title, body=piece, body_format=apprise.NotifyFormat.MARKDOWN
            ):
                return "refused", f"{shown(address)}: the channel refused it"
    except Exception as exc:  # a plugin's own failure: this channel's, no other's
        return "refused", f"{shown(address)}: {type(exc).__name__}: {exc}"
    return "sent", ""


def _deliver(mail: Mail | None, address: str, message: bytes) -> tuple[str, str]:
    """One message on its own connection: (outcome, detail), the outcome ``sent``,
    ``refused`` (for its address: the server's answer), ``uncertain`` (the connection lost
    after the whole message went out) or ``failed`` (the server could not be used). A
    channel's address goes to its channel."""
    if is_channel(address):
        return _post(address, message)
    if mail is None:
        return "refused", "no [mail] section: e-mail is off"
    try:
        server = _connect(mail)
    except (OSError, smtplib.SMTPException) as exc:
        return "failed", f"{mail.host}:{mail.port}: {exc}"
    try:
        server.sendmail(mail.sender, [address], message)
        return "sent", ""
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as exc:
        return "refused", _answer(exc)[1]
    except (OSError, smtplib.SMTPException) as exc:
        if getattr(server, "data_ended", False):
            return "uncertain", str(exc) or type(exc).__name__
        return "failed", f"{address}: {exc}"
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            server.quit()
        with contextlib.suppress(OSError):
            server.close()


def send_pending(conn: sqlite3.Connection, mail: Mail | None) -> Sending:
    """Send every message due, oldest first, a few at once, each on its own connection.
    An address the server refuses (a 4xx or 5xx answer for that recipient) costs its own
    message a later retry, never the others'; a message whose delivery is uncertain is
    sent again on the next run under its Message-ID, and said so; a server that cannot be reached
    or drops the connection stops the run (what was not sent waits for the next)."""
    result = Sending()
    pending = outbox.due(conn, now())
    if not pending:
        return result
    with ThreadPoolExecutor(CONNECTIONS) as pool:
        futures = {
            pool.submit(_deliver, mail, address, message): (outbox_id, address, was)
            for outbox_id, address, message, was in pending
        }
        for future in as_completed(futures):
            outbox_id, address, was = futures[future]
            if future.cancelled():
                continue
            outcome, detail = future.result()
            if outcome == "sent":
                outbox.sent(conn, outbox_id, now())  # only once the server has accepted it
                result.sent += 1
                if was:
                    result.again.append(shown(address))
            elif outcome == "refused":
                # A permanent refusal (5xx) waits, longer each time; a temporary one (4xx)
                # is tried again on the next run; so is a channel that refused it.
                code = detail.split(" ", 1)[0]
                permanent = code.isdigit() and int(code) >= 500
                outbox.failed(conn, [outbox_id], detail, _now_dt(), backoff=permanent)
                result.refused[shown(address)] = detail
            elif outcome == "uncertain":
                outbox.uncertain(conn, outbox_id, detail, now())
                result.uncertain[shown(address)] = detail
            else:
                outbox.failed(conn, [outbox_id], detail, _now_dt(), backoff=False)
                result.stopped = result.stopped or detail
                for other, (_, to, _) in futures.items():
                    if not is_channel(to):
                        other.cancel()  # the server is gone: its mail waits for the next run
    return result


def _answer(exc: smtplib.SMTPException) -> tuple[int, str]:
    """(code, the server's answer) of a refusal."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
    else:
        code, text = getattr(exc, "smtp_code", 0), getattr(exc, "smtp_error", str(exc))
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return int(code), f"{code} {text}"


def drop_unsubscribed(conn: sqlite3.Connection, config: Config) -> int:
    """Queued messages to addresses no subscription names any more are dropped."""
    return outbox.drop_unsubscribed(conn, [a for _, a in _addresses(config)], now())
