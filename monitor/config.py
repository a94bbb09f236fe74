"""nianbao.toml: mail server, subscriptions, schedule, check settings. Secrets (SMTP user
and password) come from the environment only, never from the file."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from report.findings import SEVERITIES
from report.keys import number, unknown_key

JOBS = ("crawl", "check", "alerts", "report")
LANGUAGES = ("zh", "en")


class ConfigError(ValueError):
    """The config file is unreadable or wrong; the message names the file and the field."""


@dataclass
class Mail:
    host: str
    port: int
    sender: str
    starttls: bool = True
    ssl: bool = False
    user: str | None = None
    password: str | None = None
    report_url: str | None = None  # where the compliance report is published, for links


@dataclass
class Subscription:
    email: str | None
    agencies: list[str] = field(default_factory=lambda: ["*"])
    rules: list[str] = field(default_factory=lambda: ["*"])
    min_severity: str = "info"
    language: str = "zh"  # of the digests: zh or en
    # Channels beside e-mail, as apprise URLs (dingtalk://, wecombot://, feishu://, json://).
    notify: list[str] = field(default_factory=list)

    @property
    def addresses(self) -> list[str]:
        """Where its digests go, each told once of each finding: its e-mail and channels."""
        return ([self.email] if self.email else []) + self.notify


def is_channel(address: str) -> bool:
    """A channel's URL rather than an e-mail address."""
    return "://" in address


def shown(address: str) -> str:
    """An address as it may be printed: a channel's URL holds its token, so only its
    kind and host are shown."""
    if not is_channel(address):
        return address
    scheme, _, rest = address.partition("://")
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    return f"{scheme}://{host}/…" if scheme in ("json", "form", "xml") else f"{scheme}://…"


@dataclass
class Config:
    path: Path
    mail: Mail | None = None
    subscriptions: list[Subscription] = field(default_factory=list)
    schedule: dict[str, str] = field(default_factory=dict)
    report_out: str | None = None  # where the scheduled report job writes report.html
    grace_days: int | None = None
    duplicate_similarity: float | None = None
    crawl_time_limit: int = 6 * 3600  # seconds a scheduled crawl may run
    contact: str | None = None  # put in the crawler's User-Agent
    crawl_settings: dict[str, str] = field(default_factory=dict)  # Scrapy settings


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of strings")
    return value


_TOP = ("mail", "subscription", "schedule", "check", "crawl")
_MAIL = ("host", "port", "sender", "starttls", "ssl", "user", "password", "report_url")
_SUBSCRIPTION = ("email", "agencies", "rules", "min_severity", "language", "notify")
_CHECK = ("grace_days", "duplicate_similarity")
_CRAWL = ("time_limit", "contact", "settings", "revisit_days", "ocr")


def _strict(table: Any, known: tuple[str, ...], where: str) -> None:
    if isinstance(table, dict) and (message := unknown_key(table, known, where)):
        raise ConfigError(message)


def _number(value: Any, where: str, kind: type = int, least: float | None = None) -> Any:
    try:
        return number(value, where, kind, least)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _no_control_characters(value: Any, where: str) -> None:
    """No value holds a control character: a line break in a mail address would write
    headers of its own (and in a path or a URL it is a mistake, never meant)."""
    if isinstance(value, dict):
        for key, item in value.items():
            _no_control_characters(item, f"{where}: {key}")
    elif isinstance(value, list):
        for n, item in enumerate(value, 1):
            _no_control_characters(item, f"{where} #{n}")
    elif isinstance(value, str) and _CONTROL.search(value):
        raise ConfigError(f"{where}: a control character (line break, tab…) in {value!r}")


def load_config(path: str | Path, environ: dict[str, str] | None = None) -> Config:
    """The config file; a missing file is an empty config (every component off)."""
    env = os.environ if environ is None else environ
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        data = {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    config = Config(path)
    _no_control_characters(data, str(path))
    _strict(data, _TOP, str(path))
    for section, known in (("mail", _MAIL), ("check", _CHECK), ("crawl", _CRAWL)):
        if section in data and not isinstance(data[section], dict):
            raise ConfigError(f"{path}: [{section}] must be a table")
        _strict(data.get(section, {}), known, f"{path}: [{section}]")
    if not isinstance(data.get("subscription", []), list):
        raise ConfigError(f"{path}: subscriptions are [[subscription]] tables")
    if (mail := data.get("mail")) is not None:
        config.mail = _mail(mail, env, path)
    config.subscriptions = [
        _subscription(sub, f"{path}: subscription #{n}")
        for n, sub in enumerate(data.get("subscription", []), 1)
    ]
    for name, expr in data.get("schedule", {}).items():
        if name == "report_out" and isinstance(expr, str) and expr:
            config.report_out = expr
            continue
        if name not in JOBS or not isinstance(expr, str):
            raise ConfigError(
                f'{path}: [schedule] {name}: expected {", ".join(JOBS)} = "cron expression"'
                ' or report_out = "path"'
            )
        config.schedule[name] = expr
    if "report" in config.schedule and config.report_out is None:
        raise ConfigError(
            f'{path}: [schedule] report needs report_out = "path of the report.html to write"'
        )
    _read_check(config, data.get("check", {}), path)
    _read_crawl(config, data.get("crawl", {}), path)
    return config


def _mail(mail: Any, env: Mapping[str, str], path: Path) -> Mail:
    """[mail], with the server and the credentials the environment may give."""
    if not isinstance(mail, dict) or not isinstance(mail.get("sender"), str):
        raise ConfigError(f'{path}: [mail] needs sender = "address"')
    for secret in ("user", "password"):
        if secret in mail:
            raise ConfigError(
                f"{path}: [mail] {secret} must not be in the file; set "
                f"NIANBAO_SMTP_{secret.upper()} in the environment"
            )
    host = env.get("NIANBAO_SMTP_HOST") or mail.get("host")
    if not isinstance(host, str) or not host:
        raise ConfigError(f"{path}: [mail] needs host (or NIANBAO_SMTP_HOST)")
    try:
        port = int(env.get("NIANBAO_SMTP_PORT") or mail.get("port", 587))
    except ValueError:
        raise ConfigError(f"{path}: [mail] port must be a number") from None
    return Mail(
        host,
        port,
        mail["sender"],
        starttls=bool(mail.get("starttls", True)),
        ssl=bool(mail.get("ssl", False)),
        user=env.get("NIANBAO_SMTP_USER") or None,
        password=env.get("NIANBAO_SMTP_PASSWORD") or None,
        report_url=mail.get("report_url"),
    )


def _subscription(sub: Any, where: str) -> Subscription:
    _strict(sub, _SUBSCRIPTION, where)
    if not isinstance(sub, dict):
        raise ConfigError(f"{where}: a subscription is a table")
    notify = _strings(sub.get("notify", []), f"{where}: notify")
    email = sub.get("email")
    if email is not None and (not isinstance(email, str) or "@" not in email):
        raise ConfigError(f"{where}: email must be an e-mail address")
    if email is None and not notify:
        raise ConfigError(f"{where}: email or notify (channel URLs) is required")
    for url in notify:
        _channel(url, f"{where}: notify")
    severity = sub.get("min_severity", "info")
    if severity not in SEVERITIES:
        raise ConfigError(f"{where}: min_severity must be one of {', '.join(SEVERITIES)}")
    language = sub.get("language", "zh")
    if language not in LANGUAGES:
        raise ConfigError(f"{where}: language must be one of {', '.join(LANGUAGES)}")
    return Subscription(
        email,
        _strings(sub.get("agencies", ["*"]), f"{where}: agencies"),
        _strings(sub.get("rules", ["*"]), f"{where}: rules"),
        severity,
        language,
        notify,
    )


def _channel(url: str, where: str) -> None:
    """A channel URL apprise can send to (dingtalk://, wecombot://, feishu://, json://…)."""
    import apprise

    if not is_channel(url) or not apprise.Apprise().add(url):
        raise ConfigError(f"{where}: {shown(url)} is not a channel URL apprise knows")


def _read_check(config: Config, check: dict[str, Any], path: Path) -> None:
    if "grace_days" in check:
        config.grace_days = _number(check["grace_days"], f"{path}: [check] grace_days", least=0)
    if "duplicate_similarity" in check:
        config.duplicate_similarity = _number(
            check["duplicate_similarity"], f"{path}: [check] duplicate_similarity", float, 0
        )
        if config.duplicate_similarity > 1:
            raise ConfigError(f"{path}: [check] duplicate_similarity is a share, 0 to 1")


def _read_crawl(config: Config, crawl: dict[str, Any], path: Path) -> None:
    if "time_limit" in crawl:
        config.crawl_time_limit = _number(
            crawl["time_limit"], f"{path}: [crawl] time_limit", least=1
        )
    config.contact = crawl.get("contact")
    settings = crawl.get("settings", {})
    if not isinstance(settings, dict):
        raise ConfigError(f"{path}: [crawl.settings] must be a table of Scrapy settings")
    config.crawl_settings = {str(k): str(v) for k, v in settings.items()}
    if "revisit_days" in crawl:
        days = _number(crawl["revisit_days"], f"{path}: [crawl] revisit_days", float, 0)
        config.crawl_settings["NIANBAO_REVISIT_DAYS"] = str(days)
    if "ocr" in crawl:
        if crawl["ocr"] not in ("auto", "off"):
            raise ConfigError(f'{path}: [crawl] ocr is "auto" or "off", not {crawl["ocr"]!r}')
        config.crawl_settings["NIANBAO_OCR"] = crawl["ocr"]
