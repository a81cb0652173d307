"""Runtime settings, from the environment only: where conversations and the journal are
stored, what the REST channel accepts, Rasa's HTTP API, the Redis that remembers webhook ids."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import List, Mapping, Optional

from bot.settings.common import ConfigurationError, var_dir, whole_number


def tracker_db_url(environ: Optional[Mapping[str, str]] = None) -> str:
    """SQLAlchemy URL of the conversation store.

    ``TRACKER_DB_URL`` wins (e.g. ``postgresql://rasa@127.0.0.1:5432/rasa``); otherwise a
    SQLite file in ``var/`` (``VAR_DIR``), created on first run.
    """
    environ = os.environ if environ is None else environ
    url = environ.get("TRACKER_DB_URL", "").strip()
    if url:
        return url
    folder = var_dir(environ)
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'conversations.db'}"


@dataclass(frozen=True)
class InputLimits:
    """What the REST channel accepts before a message reaches the model (docs/security.md)."""

    max_message_chars: int  # MAX_MESSAGE_CHARS: longer messages get a polite "please shorten it"
    max_request_bytes: int  # MAX_REQUEST_BYTES: larger REST bodies get 413
    per_sender_per_minute: int  # RATE_LIMIT_PER_MINUTE, per conversation (0 = no limit)
    per_address_per_minute: int  # RATE_LIMIT_PER_ADDRESS_PER_MINUTE, per client IP (0 = no limit)


def input_limits(environ: Optional[Mapping[str, str]] = None) -> InputLimits:
    """Input limits from the environment; the address limit defaults to ten conversations' worth
    (a practice's office, or a family, may share one address)."""
    environ = os.environ if environ is None else environ
    per_sender = whole_number(environ, "RATE_LIMIT_PER_MINUTE", 30)
    return InputLimits(
        max_message_chars=whole_number(environ, "MAX_MESSAGE_CHARS", 2000, minimum=1),
        max_request_bytes=whole_number(environ, "MAX_REQUEST_BYTES", 64 * 1024, minimum=1024),
        per_sender_per_minute=per_sender,
        per_address_per_minute=whole_number(environ, "RATE_LIMIT_PER_ADDRESS_PER_MINUTE", 10 * per_sender),
    )


def journal_dir(environ: Optional[Mapping[str, str]] = None) -> Path:
    """Where the tracker store keeps events the database could not take yet (``JOURNAL_DIR``)."""
    environ = os.environ if environ is None else environ
    explicit = environ.get("JOURNAL_DIR", "").strip()
    return Path(explicit) if explicit else var_dir(environ) / "journal"


def rasa_api_args(environ: Optional[Mapping[str, str]] = None) -> List[str]:
    """``rasa run`` arguments for Rasa's HTTP API: none unless ``RASA_ENABLE_API=1``.

    The API can read and rewrite any conversation, so it is only ever served behind a JWT
    (``RASA_JWT_SECRET``, HS256, at least 32 characters); without one we refuse to start.
    """
    environ = os.environ if environ is None else environ
    if environ.get("RASA_ENABLE_API", "").strip() != "1":
        return []
    secret = environ.get("RASA_JWT_SECRET", "").strip()
    if len(secret) < 32:
        raise ConfigurationError(
            "RASA_ENABLE_API=1 needs RASA_JWT_SECRET set to a random secret of at least 32 "
            "characters (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)."
        )
    return ["--enable-api", "--jwt-secret", secret, "--jwt-method", "HS256"]


def replay_store_url(environ: Optional[Mapping[str, str]] = None) -> str:
    """Redis for remembering webhook ids (``REDIS_URL``, else the lock store's ``REDIS_HOST``...)."""
    environ = os.environ if environ is None else environ
    url = environ.get("REDIS_URL", "").strip()
    if url or not environ.get("REDIS_HOST", "").strip():
        return url
    password = environ.get("REDIS_PASSWORD", "").strip()
    auth = f":{password}@" if password else ""
    return (
        f"redis://{auth}{environ['REDIS_HOST'].strip()}:{environ.get('REDIS_PORT', '6379').strip()}"
        f"/{environ.get('REDIS_DB', '0').strip()}"
    )
