"""Configuration in one place: practice facts from ``practice.yml``, runtime from the environment.

Everything the assistant needs to know about the practice it serves (name, phone line,
crisis numbers...) and where it stores conversations is read here, once, and nowhere else.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PRACTICE_FILE = PROJECT_ROOT / "practice.yml"

# practice.yml key -> environment variable that overrides it
_PRACTICE_ENV = {
    ("practice", "name"): "PRACTICE_NAME",
    ("practice", "phone"): "PRACTICE_PHONE",
    ("practice", "hours"): "PRACTICE_HOURS",
    ("practice", "hours_url"): "PRACTICE_HOURS_URL",
    ("practice", "first_appointment"): "PRACTICE_FIRST_APPOINTMENT",
    ("practice", "who_you_meet"): "PRACTICE_WHO_YOU_MEET",
    ("practice", "website"): "PRACTICE_WEBSITE",
    ("practice", "privacy_url"): "PRACTICE_PRIVACY_URL",
    ("crisis", "emergency"): "CRISIS_EMERGENCY",
    ("crisis", "samaritans"): "CRISIS_SAMARITANS",
    ("crisis", "shout_text"): "CRISIS_SHOUT_TEXT",
}


_LINK_FIELDS = {"hours_url", "website", "privacy_url"}


class ConfigurationError(RuntimeError):
    """Raised with a message a practice can act on when configuration is wrong."""


@dataclass(frozen=True)
class Practice:
    """Facts about the practice and the crisis lines, as shown to users."""

    name: str
    phone: str
    hours: str
    hours_url: str
    # Service commitments: the practice's promises, never written into an answer.
    first_appointment: str
    who_you_meet: str
    website: str
    privacy_url: str
    crisis_emergency: str
    crisis_nhs_urgent: str
    crisis_nhs_urgent_option: str
    crisis_samaritans: str
    crisis_shout_text: str
    # The nation's urgent mental health line (``crisis.urgent_lines`` in practice.yml): NHS 111
    # does not run in Northern Ireland, so the line is chosen by ``crisis.nation``.
    crisis_nation: str = "england"
    crisis_urgent_name: str = "NHS 111"

    @property
    def urgent_line_how(self) -> str:
        """``"call NHS 111 and choose option 2"``; ``"call Lifeline on 0808 808 8000"``."""
        how = f"call {self.crisis_urgent_name}"
        if tel_digits(self.crisis_nhs_urgent) not in tel_digits(self.crisis_urgent_name):
            how += f" on {self.crisis_nhs_urgent}"
        if self.crisis_nhs_urgent_option:
            how += f" and choose option {self.crisis_nhs_urgent_option}"
        return how

    @property
    def urgent_line_title(self) -> str:
        """A button title: ``"Call NHS 111, option 2"``; ``"Call Lifeline 0808 808 8000"``."""
        title = f"Call {self.crisis_urgent_name}"
        if tel_digits(self.crisis_nhs_urgent) not in tel_digits(self.crisis_urgent_name):
            title += f" on {self.crisis_nhs_urgent}"
        return title + (f", option {self.crisis_nhs_urgent_option}" if self.crisis_nhs_urgent_option else "")

    @property
    def phone_tel(self) -> str:
        """The phone line as a ``tel:`` URI target (digits and a leading + only)."""
        return tel_digits(self.phone)

    def template_values(self) -> Dict[str, str]:
        """Values that response templates may use, e.g. ``{practice_phone}``."""
        return {
            "practice_name": self.name,
            "practice_phone": self.phone,
            "practice_phone_tel": self.phone_tel,
            "practice_hours": self.hours,
            "practice_hours_url": self.hours_url,
            "practice_first_appointment": self.first_appointment,
            "practice_who_you_meet": self.who_you_meet,
            "practice_website": self.website,
            "privacy_url": self.privacy_url,
            "crisis_emergency": self.crisis_emergency,
            "crisis_nhs_urgent": self.crisis_nhs_urgent,
            "crisis_nhs_urgent_option": self.crisis_nhs_urgent_option,
            "crisis_samaritans": self.crisis_samaritans,
            "crisis_samaritans_tel": tel_digits(self.crisis_samaritans),
            "crisis_shout_text": self.crisis_shout_text,
            # Additive for the crisis replies (bot/policies/crisis_flow.py picks the variant).
            "crisis_emergency_tel": tel_digits(self.crisis_emergency),
            "crisis_urgent_name": self.crisis_urgent_name,
            "crisis_urgent_how": self.urgent_line_how,
            "crisis_urgent_title": self.urgent_line_title,
            "crisis_urgent_tel": tel_digits(self.crisis_nhs_urgent),
            "crisis_shout_sms": tel_digits(self.crisis_shout_text),
        }


def tel_digits(number: str) -> str:
    """``"0808 101 0337"`` -> ``"08081010337"``; keeps a leading ``+``."""
    number = number.strip()
    prefix = "+" if number.startswith("+") else ""
    return prefix + re.sub(r"\D", "", number)


def load_practice(
    path: Path = PRACTICE_FILE, environ: Optional[Mapping[str, str]] = None
) -> Practice:
    """Reads ``practice.yml`` and applies environment overrides."""
    environ = os.environ if environ is None else environ
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ConfigurationError(f"Cannot read practice details from {path}: {error}")

    values: Dict[str, str] = {}
    for (section, key), env_name in _PRACTICE_ENV.items():
        value = environ.get(env_name) or (raw.get(section) or {}).get(key)
        if value is None or not str(value).strip():
            raise ConfigurationError(
                f"Practice setting '{section}.{key}' is empty: set it in {path.name} "
                f"or the environment variable {env_name}."
            )
        field = key if section == "practice" else f"crisis_{key}"
        values[field] = str(value).strip()
        # Links become buttons and widget hrefs: only web addresses, never javascript: or tel:.
        if field in _LINK_FIELDS and not re.fullmatch(r"https?://\S+", values[field]):
            raise ConfigurationError(
                f"Practice setting '{section}.{key}' must be a web address starting https://, "
                f"not {values[field]!r} (in {path.name} or {env_name})."
            )
    values.update(_urgent_line(raw.get("crisis") or {}, environ, path))
    return Practice(**values)


NATIONS = ("england", "wales", "scotland", "northern_ireland")


def _urgent_line(crisis: Mapping, environ: Mapping[str, str], path: Path) -> Dict[str, str]:
    """The urgent mental health line of the practice's nation (``CRISIS_NATION``).

    ``CRISIS_NHS_URGENT`` and ``CRISIS_NHS_URGENT_OPTION`` still override its number and option.
    """
    nation = str(environ.get("CRISIS_NATION") or crisis.get("nation") or "england").strip().lower()
    nation = nation.replace(" ", "_").replace("-", "_")
    lines = crisis.get("urgent_lines") or {}
    if nation not in NATIONS or not isinstance(lines.get(nation), Mapping):
        raise ConfigurationError(
            f"Crisis setting 'crisis.nation' is {nation!r}: it must be one of {', '.join(NATIONS)}, "
            f"with a line under 'crisis.urgent_lines' in {path.name} (or set CRISIS_NATION)."
        )
    line = lines[nation]
    name = str(line.get("name") or "").strip()
    number = str(environ.get("CRISIS_NHS_URGENT") or line.get("number") or "").strip()
    option = environ.get("CRISIS_NHS_URGENT_OPTION")
    option = str(line.get("option") or "" if option is None else option).strip()
    if not name or not tel_digits(number):
        raise ConfigurationError(
            f"Crisis setting 'crisis.urgent_lines.{nation}' needs a name and a number (in {path.name})."
        )
    return {"crisis_nation": nation, "crisis_urgent_name": name,
            "crisis_nhs_urgent": number, "crisis_nhs_urgent_option": option}


@lru_cache(maxsize=1)
def practice() -> Practice:
    """The practice details for this process (read once)."""
    return load_practice()


# --- the duty alert (bot/alerts/) ---------------------------------------------------------


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


def _flag(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name} must be true or false, not {value!r}.")


def load_duty_alert(path: Path = PRACTICE_FILE, environ: Optional[Mapping[str, str]] = None) -> DutyAlert:
    """Reads ``duty_alert:`` from practice.yml; ``DUTY_ALERT_*`` variables override it."""
    environ = os.environ if environ is None else environ
    try:
        raw = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("duty_alert") or {}
    except (OSError, yaml.YAMLError) as error:
        raise ConfigurationError(f"Cannot read duty alert settings from {path}: {error}")
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
        raise ConfigurationError(f"Duty alert settings: a number is not a number ({error}).")
    if not 0 < port < 65536 or attempts < 1 or first_retry < 0:
        raise ConfigurationError("Duty alert settings: port 1-65535, attempts at least 1, retry delay >= 0.")
    return DutyAlert(
        smtp_host=str(value("smtp_host", "DUTY_ALERT_SMTP_HOST") or "").strip(),
        smtp_port=port,
        starttls=_flag(value("starttls", "DUTY_ALERT_STARTTLS", True), "DUTY_ALERT_STARTTLS"),
        username=str(value("username", "DUTY_ALERT_SMTP_USER") or "").strip(),
        password=environ.get("DUTY_ALERT_SMTP_PASSWORD", ""),
        sender=str(value("sender", "DUTY_ALERT_FROM") or "").strip(),
        recipients=tuple(r.strip() for r in recipients if str(r).strip()),
        console_url=str(value("console_url", "CONSOLE_BASE_URL", "http://127.0.0.1:5080")).strip().rstrip("/"),
        attempts=attempts,
        first_retry_seconds=first_retry,
        ca_file=environ.get("DUTY_ALERT_SMTP_CA_FILE", "").strip(),
    )


@lru_cache(maxsize=1)
def duty_alert() -> DutyAlert:
    """The duty alert settings for this process (read once)."""
    return load_duty_alert()


# --- runtime settings (environment only) ------------------------------------------------


def tracker_db_url(environ: Optional[Mapping[str, str]] = None) -> str:
    """SQLAlchemy URL of the conversation store.

    ``TRACKER_DB_URL`` wins (e.g. ``postgresql://rasa@127.0.0.1:5432/rasa``); otherwise a
    SQLite file in ``var/`` (``VAR_DIR``), created on first run.
    """
    environ = os.environ if environ is None else environ
    url = environ.get("TRACKER_DB_URL", "").strip()
    if url:
        return url
    var_dir = Path(environ.get("VAR_DIR", PROJECT_ROOT / "var"))
    var_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{var_dir / 'conversations.db'}"


# --- website chat widget (bot/channels/widget.py, demo/) ------------------------------------------------

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
    try:
        raw = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("widget") or {}
    except (OSError, yaml.YAMLError) as error:
        raise ConfigurationError(f"Cannot read widget settings from {path}: {error}")
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
        raise ConfigurationError(f"Widget setting 'widget.welcome' is empty (in {path.name} or WIDGET_WELCOME).")
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
        raise ConfigurationError("WEB_SESSION_SECRET must be at least 32 characters (e.g. `openssl rand -hex 32`).")
    return secret.encode("utf-8")


def callback_key(environ: Optional[Mapping[str, str]] = None) -> Optional[bytes]:
    """Fernet key that encrypts callback requests at rest (``CALLBACK_KEY``), or None: then
    the widget does not offer callbacks. Make one with
    ``python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"``."""
    environ = os.environ if environ is None else environ
    key = environ.get("CALLBACK_KEY", "").strip()
    if not key:
        return None
    from cryptography.fernet import Fernet

    try:
        Fernet(key.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise ConfigurationError("CALLBACK_KEY must be a Fernet key (32 url-safe base64-encoded bytes).")
    return key.encode("ascii")


def callback_retention_days(environ: Optional[Mapping[str, str]] = None) -> int:
    """Days a callback request is kept, done or not (``CALLBACK_RETENTION_DAYS``, default 30)."""
    environ = os.environ if environ is None else environ
    return _whole_number(environ, "CALLBACK_RETENTION_DAYS", 30, minimum=1)


# --- robustness and security (bot/channels/safe_rest.py, bot/storage/durable.py) --------


@dataclass(frozen=True)
class InputLimits:
    """What the REST channel accepts before a message reaches the model (docs/security.md)."""

    max_message_chars: int  # MAX_MESSAGE_CHARS: longer messages get a polite "please shorten it"
    max_request_bytes: int  # MAX_REQUEST_BYTES: larger REST bodies get 413
    per_sender_per_minute: int  # RATE_LIMIT_PER_MINUTE, per conversation (0 = no limit)
    per_address_per_minute: int  # RATE_LIMIT_PER_ADDRESS_PER_MINUTE, per client IP (0 = no limit)


def _whole_number(environ: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < minimum:
        raise ConfigurationError(f"{name} must be a whole number of at least {minimum}, not {raw!r}.")
    return int(raw)


def input_limits(environ: Optional[Mapping[str, str]] = None) -> InputLimits:
    """Input limits from the environment; the address limit defaults to ten conversations' worth
    (a practice's office, or a family, may share one address)."""
    environ = os.environ if environ is None else environ
    per_sender = _whole_number(environ, "RATE_LIMIT_PER_MINUTE", 30)
    return InputLimits(
        max_message_chars=_whole_number(environ, "MAX_MESSAGE_CHARS", 2000, minimum=1),
        max_request_bytes=_whole_number(environ, "MAX_REQUEST_BYTES", 64 * 1024, minimum=1024),
        per_sender_per_minute=per_sender,
        per_address_per_minute=_whole_number(environ, "RATE_LIMIT_PER_ADDRESS_PER_MINUTE", 10 * per_sender),
    )


def journal_dir(environ: Optional[Mapping[str, str]] = None) -> Path:
    """Where the tracker store keeps events the database could not take yet (``JOURNAL_DIR``)."""
    environ = os.environ if environ is None else environ
    explicit = environ.get("JOURNAL_DIR", "").strip()
    return Path(explicit) if explicit else Path(environ.get("VAR_DIR", PROJECT_ROOT / "var")) / "journal"


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


# --- security (docs/security.md) ----------------------------------------------------------

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
    path = Path(environ.get("VAR_DIR", PROJECT_ROOT / "var")) / "conversation-id.key"
    if not path.exists():
        import secrets

        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process wrote it first
            pass
        else:
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="utf-8").strip().encode("utf-8")


def replay_store_url(environ: Optional[Mapping[str, str]] = None) -> str:
    """Redis for remembering webhook ids (``REDIS_URL``, else the lock store's ``REDIS_HOST``...)."""
    environ = os.environ if environ is None else environ
    url = environ.get("REDIS_URL", "").strip()
    if url or not environ.get("REDIS_HOST", "").strip():
        return url
    password = environ.get("REDIS_PASSWORD", "").strip()
    auth = f":{password}@" if password else ""
    return (f"redis://{auth}{environ['REDIS_HOST'].strip()}:{environ.get('REDIS_PORT', '6379').strip()}"
            f"/{environ.get('REDIS_DB', '0').strip()}")
