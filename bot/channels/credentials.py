"""Which messaging channels are on, from environment variables, and the credentials file for Rasa.

A practice turns a channel on by setting its variables (in the environment or in ``.env``,
which git ignores); see docs/channels/. At each start the launcher writes
``var/credentials.generated.yml``: ``credentials.yml`` plus one entry per configured channel.
Secrets are written as ``${VARIABLE}`` references, which Rasa expands when it reads the file,
so tokens never land on disk outside ``.env``.

Each connector class declares its credential fields once (``fields``, a tuple of ``Field``):
its ``from_credentials`` (bot/channels/base.py) and the file written here both come from it.
"""

from __future__ import annotations

import importlib
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Mapping, MutableMapping, Optional, Tuple

import yaml

from bot.settings import PROJECT_ROOT, ConfigurationError

ENV_FILE = PROJECT_ROOT / ".env"
BASE_CREDENTIALS = PROJECT_ROOT / "credentials.yml"


@dataclass(frozen=True)
class Field:
    key: str  # what the connector reads from its credentials
    env: str
    secret: bool = False  # written as ${ENV} rather than its value
    default: Optional[str] = None  # None: required
    switch: bool = False  # setting this variable turns the channel on (one per connector)
    attr: Optional[str] = None  # the connector's attribute, when not named as the key


@dataclass(frozen=True)
class Spec:
    name: str  # Rasa's input_channel and URL prefix
    title: str
    connector: str
    switch: str  # setting this variable turns the channel on
    fields: Tuple[Field, ...]


@dataclass(frozen=True)
class Channel:
    name: str
    title: str
    connector: str
    credentials: Dict[str, str]
    notes: Tuple[str, ...] = ()

    @property
    def webhook_path(self) -> str:
        return f"/webhooks/{self.name}/webhook"


# The messaging connectors, in the order the launcher lists them.
CONNECTORS = (
    "bot.channels.telegram.TelegramInput",
    "bot.channels.twilio.TwilioSmsInput",
    "bot.channels.twilio.TwilioWhatsAppInput",
    "bot.channels.messenger.MessengerInput",
    "bot.channels.slack.SlackInput",
)


@lru_cache(maxsize=1)
def specs() -> Tuple[Spec, ...]:
    """Each connector as its class declares it (imported here, not when this module loads)."""
    found = []
    for path in CONNECTORS:
        module, _, name = path.rpartition(".")
        connector = getattr(importlib.import_module(module), name)
        (switch,) = [f.env for f in connector.fields if f.switch]
        found.append(Spec(connector.channel_name, connector.title, path, switch, connector.fields))
    return tuple(found)


# Telegram accepts 1-256 of these characters as a webhook secret.
_TELEGRAM_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def load_env_file(path: Path = ENV_FILE, environ: Optional[MutableMapping[str, str]] = None) -> List[str]:
    """Adds ``KEY=value`` lines of ``path`` to the environment, never overriding a set variable.

    Understands comments, blank lines, ``export KEY=...`` and quoted values; that is all a
    ``.env`` for this project needs, so no extra package.
    """
    environ = os.environ if environ is None else environ
    if not path.is_file():
        return []
    loaded = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.removeprefix("export ").partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise ConfigurationError(f"{path.name} line {number} is not KEY=value: {line[:40]!r}")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        if key not in environ:
            environ[key] = value
            loaded.append(key)
    return loaded


def _value(environ: Mapping[str, str], name: str) -> str:
    return (environ.get(name) or "").strip()


def configured_channels(environ: Optional[Mapping[str, str]] = None) -> List[Channel]:
    """The channels whose switch variable is set, checked; raises ConfigurationError if incomplete."""
    environ = os.environ if environ is None else environ
    channels = []
    for spec in specs():
        if not _value(environ, spec.switch):
            continue
        missing = [f.env for f in spec.fields if f.default is None and not _value(environ, f.env)]
        if missing:
            raise ConfigurationError(
                f"{spec.title} is switched on by {spec.switch} but needs {', '.join(missing)} "
                f"(see docs/channels/)."
            )
        credentials = {
            f.key: f"${{{f.env}}}" if f.secret else (_value(environ, f.env) or f.default or "")
            for f in spec.fields
            if _value(environ, f.env) or f.default
        }
        channels.append(Channel(spec.name, spec.title, spec.connector, credentials, _notes(spec, environ)))
    return channels


def unused_settings(environ: Optional[Mapping[str, str]] = None) -> List[str]:
    """Warnings for channel variables that are set while their channel is off (a likely slip)."""
    environ = os.environ if environ is None else environ
    on = {spec.name for spec in specs() if _value(environ, spec.switch)}
    used = {f.env for spec in specs() if spec.name in on for f in spec.fields}
    warnings = []
    for spec in specs():
        stray = [f.env for f in spec.fields if f.env not in used and _value(environ, f.env)]
        if spec.name not in on and stray:
            warnings.append(
                f"{', '.join(stray)} set but {spec.title} is off: set {spec.switch} to turn it on."
            )
    return warnings


def _notes(spec: Spec, environ: Mapping[str, str]) -> Tuple[str, ...]:
    if spec.name == "telegram":
        if not _TELEGRAM_SECRET.match(_value(environ, "TELEGRAM_SECRET_TOKEN")):
            raise ConfigurationError("TELEGRAM_SECRET_TOKEN may only use letters, digits, _ and - (1-256).")
        if not _value(environ, "TELEGRAM_WEBHOOK_URL").startswith("https://"):
            raise ConfigurationError(
                "TELEGRAM_WEBHOOK_URL must be the public https:// address of the webhook."
            )
        return (f"registered with Telegram at start: {_value(environ, 'TELEGRAM_WEBHOOK_URL')}",)
    if spec.name in ("sms", "whatsapp"):
        base = _value(environ, "TWILIO_WEBHOOK_URL")
        if not base:
            return ("TWILIO_WEBHOOK_URL not set: signatures are checked against the URL as received",)
        return (f"Twilio calls {base.rstrip('/')}/webhooks/{spec.name}/webhook",)
    return ()


def write_credentials(
    channels: List[Channel],
    path: Optional[Path] = None,
    base: Path = BASE_CREDENTIALS,
    environ: Optional[Mapping[str, str]] = None,
) -> Path:
    """Writes ``base`` plus the channels to ``path`` (default ``var/credentials.generated.yml``)."""
    environ = os.environ if environ is None else environ
    path = path or Path(environ.get("VAR_DIR", PROJECT_ROOT / "var")) / "credentials.generated.yml"
    content = yaml.safe_load(base.read_text(encoding="utf-8")) or {}
    content.update({channel.connector: dict(channel.credentials) for channel in channels})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# Generated by bot/channels/credentials.py at each start, from credentials.yml and the\n"
        "# environment. Do not edit; ${NAME} values are read from the environment by Rasa.\n"
        + yaml.safe_dump(content, sort_keys=False, default_flow_style=False),
        encoding="utf-8",
    )
    return path


def prepare(environ: Optional[MutableMapping[str, str]] = None) -> Tuple[Path, List[Channel]]:
    """Loads ``.env``, checks the channels and writes the credentials file (``make run``)."""
    environ = os.environ if environ is None else environ
    load_env_file(environ=environ)
    channels = configured_channels(environ)
    return write_credentials(channels, environ=environ), channels


def describe(channels: List[Channel], environ: Optional[Mapping[str, str]] = None) -> str:
    """What the launcher prints: each channel on, its webhook path and anything to check."""
    if channels:
        lines = ["Messaging channels (webhooks on the public address of this server):"]
    else:
        lines = ["Messaging channels: none configured (see docs/channels/ to turn one on)."]
    for channel in channels:
        lines.append(f"  {channel.title:<20} {channel.webhook_path}")
        lines.extend(f"  {'':<20}   {note}" for note in channel.notes)
    lines.extend(f"  Warning: {warning}" for warning in unused_settings(environ))
    return "\n".join(lines)
