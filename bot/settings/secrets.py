"""Secrets production needs (docs/security.md): the channel and action server tokens and the
key that pseudonymises conversation ids. Under ``APP_ENV=production`` each is mandatory; in
development an unset token leaves that door open, and the id key is generated once."""

from __future__ import annotations

import os
import secrets
from typing import Mapping, Optional

from bot.settings.common import ConfigurationError, var_dir


def production(environ: Optional[Mapping[str, str]] = None) -> bool:
    """``APP_ENV=production`` (the Docker images set it): secrets below become mandatory."""
    environ = os.environ if environ is None else environ
    return environ.get("APP_ENV", "").strip().lower() == "production"


def _secret(environ: Mapping[str, str], name: str, purpose: str) -> str:
    value = environ.get(name, "").strip()
    if value and len(value) < 32:
        raise ConfigurationError(f"{name} must be a random secret of at least 32 characters ({purpose}).")
    if not value and production(environ):
        raise ConfigurationError(
            f"APP_ENV=production needs {name} ({purpose}): a random secret of at least 32 characters, "
            "e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
        )
    return value


def rest_channel_token(environ: Optional[Mapping[str, str]] = None) -> str:
    """Bearer token the REST channel requires (``REST_CHANNEL_TOKEN``); empty: open (development only)."""
    environ = os.environ if environ is None else environ
    return _secret(environ, "REST_CHANNEL_TOKEN", "integrations calling /webhooks/rest/webhook send it")


def action_server_token(environ: Optional[Mapping[str, str]] = None) -> str:
    """Shared secret between the Rasa server and the action server (``ACTION_SERVER_TOKEN``)."""
    environ = os.environ if environ is None else environ
    return _secret(environ, "ACTION_SERVER_TOKEN", "the Rasa server sends it to the action server")


def conversation_id_key(environ: Optional[Mapping[str, str]] = None) -> bytes:
    """HMAC key that pseudonymises personal conversation ids in storage (``CONVERSATION_ID_KEY``).

    Kept outside the database. In development (not production) a random key is generated once
    and written, readable by this user only, to ``var/conversation-id.key``.
    """
    environ = os.environ if environ is None else environ
    value = _secret(environ, "CONVERSATION_ID_KEY", "it pseudonymises personal conversation ids")
    if value:
        return value.encode("utf-8")
    path = var_dir(environ) / "conversation-id.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process wrote it first
            pass
        else:
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="utf-8").strip().encode("utf-8")
