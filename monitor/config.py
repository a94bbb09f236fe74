"""nianbao.toml: mail server, subscriptions, schedule, check settings. Secrets (SMTP user
and password) come from the environment only, never from the file."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SEVERITIES = ("info", "warning", "error")
JOBS = ("crawl", "check", "alerts")


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


@dataclass
class Subscription:
    email: str
    agencies: list[str] = field(default_factory=lambda: ["*"])
    rules: list[str] = field(default_factory=lambda: ["*"])
    min_severity: str = "info"


@dataclass
class Config:
    path: Path
    mail: Mail | None = None
    subscriptions: list[Subscription] = field(default_factory=list)
    schedule: dict[str, str] = field(default_factory=dict)
    grace_days: int | None = None
    duplicate_similarity: float | None = None
    crawl_time_limit: int = 6 * 3600  # seconds a scheduled crawl may run
    contact: str | None = None  # put in the crawler's User-Agent
    crawl_settings: dict[str, str] = field(default_factory=dict)  # Scrapy settings


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of strings")
    return value


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
    mail = data.get("mail")
    if mail is not None:
        if not isinstance(mail, dict) or not isinstance(mail.get("sender"), str):
            raise ConfigError(f'{path}: [mail] needs sender = "address"')
        host = env.get("NIANBAO_SMTP_HOST") or mail.get("host")
        if not isinstance(host, str) or not host:
            raise ConfigError(f"{path}: [mail] needs host (or NIANBAO_SMTP_HOST)")
        try:
            port = int(env.get("NIANBAO_SMTP_PORT") or mail.get("port", 587))
        except ValueError:
            raise ConfigError(f"{path}: [mail] port must be a number") from None
        config.mail = Mail(
            host,
            port,
            mail["sender"],
            starttls=bool(mail.get("starttls", True)),
            ssl=bool(mail.get("ssl", False)),
            user=env.get("NIANBAO_SMTP_USER") or None,
            password=env.get("NIANBAO_SMTP_PASSWORD") or None,
        )
        for secret in ("user", "password"):
            if secret in mail:
                raise ConfigError(
                    f"{path}: [mail] {secret} must not be in the file; set "
                    f"NIANBAO_SMTP_{secret.upper()} in the environment"
                )
    for n, sub in enumerate(data.get("subscription", []), 1):
        where = f"{path}: subscription #{n}"
        if (
            not isinstance(sub, dict)
            or not isinstance(sub.get("email"), str)
            or "@" not in sub["email"]
        ):
            raise ConfigError(f"{where}: email is required")
        severity = sub.get("min_severity", "info")
        if severity not in SEVERITIES:
            raise ConfigError(f"{where}: min_severity must be one of {', '.join(SEVERITIES)}")
        config.subscriptions.append(
            Subscription(
                sub["email"],
                _strings(sub.get("agencies", ["*"]), f"{where}: agencies"),
                _strings(sub.get("rules", ["*"]), f"{where}: rules"),
                severity,
            )
        )
    schedule = data.get("schedule", {})
    for name, expr in schedule.items():
        if name not in JOBS or not isinstance(expr, str):
            raise ConfigError(
                f'{path}: [schedule] {name}: expected {", ".join(JOBS)} = "cron expression"'
            )
        config.schedule[name] = expr
    check = data.get("check", {})
    if "grace_days" in check:
        config.grace_days = int(check["grace_days"])
    if "duplicate_similarity" in check:
        config.duplicate_similarity = float(check["duplicate_similarity"])
    crawl = data.get("crawl", {})
    config.crawl_time_limit = int(crawl.get("time_limit", config.crawl_time_limit))
    config.contact = crawl.get("contact")
    settings = crawl.get("settings", {})
    if not isinstance(settings, dict):
        raise ConfigError(f"{path}: [crawl.settings] must be a table of Scrapy settings")
    config.crawl_settings = {str(k): str(v) for k, v in settings.items()}
    return config
