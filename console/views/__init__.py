"""One blueprint per screen, and the small helpers they share."""

from __future__ import annotations

import time
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, request
from sqlalchemy.engine import Engine

from console.db import audit, summary
from console.settings import ConsoleConfig


def engine() -> Engine:
    return current_app.config["ENGINE"]


def config() -> ConsoleConfig:
    return current_app.config["CONSOLE"]


def zone() -> ZoneInfo:
    return current_app.config["ZONE"]


def log(action: str, target: str = "", detail: str = "", username: Any = None) -> None:
    """Adds a line to the audit log for the current user."""
    name = username or (g.user["username"] if g.get("user") else None)
    with engine().begin() as conn:
        audit.record(conn, name, action, target, detail, request.remote_addr)


def audited_query() -> str:
    """This request's query string for the audit log, without the free-text search."""
    return audit.without_search(request.query_string.decode(errors="replace"))[:500]


def refresh_summary() -> None:
    """Summarises new conversations, at most every ``refresh_seconds`` and a bounded amount
    per page view (a big backlog is the CLI's ``refresh`` job, run at start-up)."""
    now = time.monotonic()
    if now - current_app.config["LAST_REFRESH"] < config().refresh_seconds:
        return
    current_app.config["LAST_REFRESH"] = now
    summary.refresh(engine(), config().low_confidence, zone(), max_batches=2)


def register(app: Flask) -> None:
    from console.views import admin, analytics, auth, callbacks, conversations, export, staff, unanswered

    for module in (auth, conversations, unanswered, callbacks, analytics, export, admin, staff):
        app.register_blueprint(module.blueprint)
