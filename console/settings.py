"""The console's settings, from the environment (read once per process, when it starts)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping, Optional

from bot import settings


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class ConsoleConfig:
    db_url: str
    host: str = "127.0.0.1"
    port: int = 5080
    # Secure cookies need HTTPS; off by default because the console listens on localhost.
    secure_cookies: bool = False
    session_hours: float = 8.0
    retention_days: Optional[int] = None
    # A user message whose intent (or FAQ answer) scored below this counts as unanswered.
    low_confidence: float = 0.5
    page_size: int = 50
    # Days and times are shown, and charts bucketed, in the practice's time zone.
    timezone: str = "Europe/London"
    # How often a page view looks for new events to summarise (the CLI refresh does all).
    refresh_seconds: float = 5.0

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> "ConsoleConfig":
        env = os.environ if environ is None else environ
        retention = env.get("RETENTION_DAYS", "").strip()
        return cls(
            db_url=env.get("CONSOLE_DB_URL", "").strip() or settings.tracker_db_url(env),
            host=env.get("CONSOLE_HOST", "127.0.0.1"),
            port=int(env.get("CONSOLE_PORT", "5080")),
            secure_cookies=_flag(env.get("CONSOLE_SECURE_COOKIES", "")),
            session_hours=float(env.get("CONSOLE_SESSION_HOURS", "8")),
            retention_days=int(retention) if retention else None,
            low_confidence=float(env.get("CONSOLE_LOW_CONFIDENCE", "0.5")),
            timezone=env.get("CONSOLE_TIMEZONE", "Europe/London"),
            refresh_seconds=float(env.get("CONSOLE_REFRESH_SECONDS", "5")),
        )
