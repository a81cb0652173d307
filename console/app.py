"""The Flask application factory: ``create_app(ConsoleConfig.from_env())``."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any, Optional
from zoneinfo import ZoneInfo

from flask import Flask, g, render_template
from sqlalchemy.engine import Engine
from werkzeug.exceptions import HTTPException

from console import guards
from console.db import make_engine
from console.db.migrations import migrate
from console.events import channel_label, topic_label
from console.settings import ConsoleConfig
from console.views import register


def create_app(config: ConsoleConfig, engine: Optional[Engine] = None) -> Flask:
    app = Flask(__name__)
    engine = engine or make_engine(config.db_url)
    migrate(engine)
    app.config.update(
        CONSOLE=config,
        ENGINE=engine,
        ZONE=ZoneInfo(config.timezone),
        LAST_REFRESH=0.0,
        MAX_CONTENT_LENGTH=64 * 1024,  # forms only: notes and tags are short
        SEND_FILE_MAX_AGE_DEFAULT=3600,
    )
    app.before_request(guards.load_user)
    app.after_request(guards.add_security_headers)
    register(app)
    app.register_error_handler(HTTPException, _error_page)
    _template_helpers(app)
    return app


def _error_page(error: HTTPException) -> Any:
    return render_template("error.html", error=error), error.code or 500


def _template_helpers(app: Flask) -> None:
    zone: ZoneInfo = app.config["ZONE"]

    @app.template_filter("when")
    def when(timestamp: Optional[float], fmt: str = "%d %b %Y %H:%M") -> str:
        return datetime.fromtimestamp(timestamp, zone).strftime(fmt) if timestamp else ""

    @app.template_filter("topic")
    def topic(name: Optional[str]) -> str:
        return topic_label(name)

    @app.template_filter("channel")
    def channel(name: Optional[str]) -> str:
        return channel_label(name)

    @app.template_filter("channel_options")
    def channel_options(names: list) -> list:
        return [(name, channel_label(name)) for name in names]

    @app.template_filter("percent")
    def percent(value: Optional[float]) -> str:
        return "" if value is None else f"{value * 100:.0f}%"

    @app.template_filter("score")
    def score(value: Optional[float]) -> str:
        return "" if value is None else f"{value:.2f}"

    @app.context_processor
    def globals_for_templates() -> dict:
        return {
            "user": g.get("user"),
            "csrf_token": g.get("csrf") or "",
            "now": time.time(),
        }
