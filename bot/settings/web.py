"""The website chat widget (bot/channels/widget.py, demo/): its look from ``widget:`` in
practice.yml, the pages allowed to open its socket, the key that signs its resume tokens,
and the callback requests it may offer."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import List, Mapping, Optional

from bot.settings.common import PRACTICE_FILE, ConfigurationError, read_practice_file, whole_number

_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")


@dataclass(frozen=True)
class Widget:
    """How the chat widget looks on the practice's pages (``widget:`` in practice.yml)."""

    welcome: str
    colour: str
    text_colour: str


def _relative_luminance(colour: str) -> float:
    digits = colour[1:] if len(colour) == 7 else "".join(c * 2 for c in colour[1:])
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    light, dark = sorted((_relative_luminance(first), _relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def load_widget(path: Path = PRACTICE_FILE, environ: Optional[Mapping[str, str]] = None) -> Widget:
    """Reads ``widget:`` from practice.yml; ``WIDGET_*`` environment variables override it."""
    environ = os.environ if environ is None else environ
    raw = read_practice_file(path, "widget settings").get("widget") or {}
    values = {
        key: str(environ.get(f"WIDGET_{key.upper()}") or raw.get(key) or "").strip()
        for key in ("welcome", "colour", "text_colour")
    }
    for key in ("colour", "text_colour"):
        # Colours reach CSS and the widget's inline styles: accept hex only, nothing else.
        if not _HEX_COLOUR.fullmatch(values[key]):
            raise ConfigurationError(
                f"Widget setting 'widget.{key}' must be a hex colour like #1d4f73, "
                f"not {values[key]!r} (in {path.name} or WIDGET_{key.upper()})."
            )
    if contrast_ratio(values["colour"], values["text_colour"]) < 4.5:
        raise ConfigurationError(
            "Widget colours are too close to read: widget.text_colour on widget.colour needs a "
            "contrast ratio of at least 4.5 (WCAG AA)."
        )
    if not values["welcome"]:
        raise ConfigurationError(
            f"Widget setting 'widget.welcome' is empty (in {path.name} or WIDGET_WELCOME)."
        )
    return Widget(**values)


@lru_cache(maxsize=1)
def widget() -> Widget:
    """The widget's look for this process (read once)."""
    return load_widget()


def web_port(environ: Optional[Mapping[str, str]] = None) -> int:
    """Port of the demo practice page (``WEB_PORT``, default 8080)."""
    environ = os.environ if environ is None else environ
    return int(environ.get("WEB_PORT", "8080"))


def web_allowed_origins(environ: Optional[Mapping[str, str]] = None) -> List[str]:
    """Web pages allowed to open the widget's socket (``WEB_ALLOWED_ORIGINS``, comma-separated).

    Defaults to the demo page on this machine. Each entry is an origin (scheme, host and
    optional port, no path); ``*`` is refused, because any website could then put this
    practice's assistant on its own pages.
    """
    environ = os.environ if environ is None else environ
    raw = environ.get("WEB_ALLOWED_ORIGINS", "").strip()
    if not raw:
        port = web_port(environ)
        return [f"http://127.0.0.1:{port}", f"http://localhost:{port}"]
    origins = [item.strip().rstrip("/") for item in raw.split(",") if item.strip()]
    for origin in origins:
        if not re.fullmatch(r"https?://[A-Za-z0-9.\-\[\]:]+", origin):
            raise ConfigurationError(
                f"WEB_ALLOWED_ORIGINS: {origin!r} is not an origin such as "
                "https://www.example-practice.org.uk (no path, no wildcard)."
            )
    return origins


def web_socket_url(environ: Optional[Mapping[str, str]] = None) -> str:
    """Address the widget connects to: the Rasa server as browsers reach it (``WEB_SOCKET_URL``).

    Defaults to the local Rasa server (``RASA_PORT``, 5005); behind a proxy, set the public
    address, e.g. ``https://chat.example-practice.org.uk``.
    """
    environ = os.environ if environ is None else environ
    url = environ.get("WEB_SOCKET_URL", "").strip().rstrip("/")
    return url or f"http://127.0.0.1:{environ.get('RASA_PORT', '5005')}"


def web_session_secret(environ: Optional[Mapping[str, str]] = None) -> Optional[bytes]:
    """Key that signs the widget's resume tokens (``WEB_SESSION_SECRET``, 32+ characters).

    Unset, the socket channel draws a random key at start-up: a restart of the Rasa server
    then starts new conversations in open tabs. Set it where conversations must survive one.
    """
    environ = os.environ if environ is None else environ
    secret = environ.get("WEB_SESSION_SECRET", "").strip()
    if not secret:
        return None
    if len(secret) < 32:
        raise ConfigurationError(
            "WEB_SESSION_SECRET must be at least 32 characters (e.g. `openssl rand -hex 32`)."
        )
    return secret.encode("utf-8")


def callback_key(environ: Optional[Mapping[str, str]] = None) -> Optional[bytes]:
    """Fernet key that encrypts callback requests at rest (``CALLBACK_KEY``), or None: then
    the widget does not offer callbacks. Make one with
    ``python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"``."""
    environ = os.environ if environ is None else environ
    key = environ.get("CALLBACK_KEY", "").strip()
    if not key:
        return None
    from cryptography.fernet import (
        Fernet,  # here, not at the top: the action server's image has no cryptography
    )

    try:
        Fernet(key.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as error:
        raise ConfigurationError(
            "CALLBACK_KEY must be a Fernet key (32 url-safe base64-encoded bytes)."
        ) from error
    return key.encode("ascii")


def callback_retention_days(environ: Optional[Mapping[str, str]] = None) -> int:
    """Days a callback request is kept, done or not (``CALLBACK_RETENTION_DAYS``, default 30)."""
    environ = os.environ if environ is None else environ
    return whole_number(environ, "CALLBACK_RETENTION_DAYS", 30, minimum=1)
