"""The duty alert (bot/alerts/): how the practice's duty contact is emailed when a conversation
is flagged. ``duty_alert:`` in practice.yml, ``DUTY_ALERT_*`` variables override it; the SMTP
password only ever comes from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Optional, Tuple

from bot.settings.common import PRACTICE_FILE, ConfigurationError, flag, read_practice_file


@dataclass(frozen=True)
class DutyAlert:
    """How the practice's duty contact is emailed when a conversation is flagged."""

    smtp_host: str
    smtp_port: int
    starttls: bool
    username: str
    password: str  # only ever from DUTY_ALERT_SMTP_PASSWORD, never from practice.yml
    sender: str
    recipients: Tuple[str, ...]
    console_url: str
    attempts: int = 6
    first_retry_seconds: float = 2.0
    ca_file: str = ""  # DUTY_ALERT_SMTP_CA_FILE: a private CA to trust (certificates are always checked)
    timeout_seconds: float = 10.0

    @property
    def enabled(self) -> bool:
        return bool(self.smtp_host and self.sender and self.recipients)


def load_duty_alert(path: Path = PRACTICE_FILE, environ: Optional[Mapping[str, str]] = None) -> DutyAlert:
    """Reads ``duty_alert:`` from practice.yml; ``DUTY_ALERT_*`` variables override it."""
    environ = os.environ if environ is None else environ
    raw = read_practice_file(path, "duty alert settings").get("duty_alert") or {}
    if raw.get("password"):
        raise ConfigurationError(
            "duty_alert.password must not be written in practice.yml: set DUTY_ALERT_SMTP_PASSWORD."
        )

    def value(key: str, env_name: str, default: Any = "") -> Any:
        from_env = environ.get(env_name, "").strip()
        return from_env if from_env else raw.get(key, default)

    recipients = value("recipients", "DUTY_ALERT_TO", [])
    if isinstance(recipients, str):
        recipients = recipients.split(",")
    try:
        port = int(value("smtp_port", "DUTY_ALERT_SMTP_PORT", 587))
        attempts = int(value("attempts", "DUTY_ALERT_ATTEMPTS", 6))
        first_retry = float(value("first_retry_seconds", "DUTY_ALERT_FIRST_RETRY_SECONDS", 2))
    except (TypeError, ValueError) as error:
        raise ConfigurationError(f"Duty alert settings: a number is not a number ({error}).") from error
    if not 0 < port < 65536 or attempts < 1 or first_retry < 0:
        raise ConfigurationError("Duty alert settings: port 1-65535, attempts at least 1, retry delay >= 0.")
    return DutyAlert(
        smtp_host=str(value("smtp_host", "DUTY_ALERT_SMTP_HOST") or "").strip(),
        smtp_port=port,
        starttls=flag(value("starttls", "DUTY_ALERT_STARTTLS", True), "DUTY_ALERT_STARTTLS"),
        username=str(value("username", "DUTY_ALERT_SMTP_USER") or "").strip(),
        password=environ.get("DUTY_ALERT_SMTP_PASSWORD", ""),
        sender=str(value("sender", "DUTY_ALERT_FROM") or "").strip(),
        recipients=tuple(str(r).strip() for r in recipients if str(r).strip()),
        console_url=str(value("console_url", "CONSOLE_BASE_URL", "http://127.0.0.1:5080"))
        .strip()
        .rstrip("/"),
        attempts=attempts,
        first_retry_seconds=first_retry,
        ca_file=environ.get("DUTY_ALERT_SMTP_CA_FILE", "").strip(),
    )


@lru_cache(maxsize=1)
def duty_alert() -> DutyAlert:
    """The duty alert settings for this process (read once)."""
    return load_duty_alert()
