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
from typing import Dict, Mapping, Optional

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PRACTICE_FILE = PROJECT_ROOT / "practice.yml"

# practice.yml key -> environment variable that overrides it
_PRACTICE_ENV = {
    ("practice", "name"): "PRACTICE_NAME",
    ("practice", "phone"): "PRACTICE_PHONE",
    ("practice", "hours"): "PRACTICE_HOURS",
    ("practice", "website"): "PRACTICE_WEBSITE",
    ("practice", "privacy_url"): "PRACTICE_PRIVACY_URL",
    ("crisis", "emergency"): "CRISIS_EMERGENCY",
    ("crisis", "nhs_urgent"): "CRISIS_NHS_URGENT",
    ("crisis", "nhs_urgent_option"): "CRISIS_NHS_URGENT_OPTION",
    ("crisis", "samaritans"): "CRISIS_SAMARITANS",
    ("crisis", "shout_text"): "CRISIS_SHOUT_TEXT",
}


class ConfigurationError(RuntimeError):
    """Raised with a message a practice can act on when configuration is wrong."""


@dataclass(frozen=True)
class Practice:
    """Facts about the practice and the crisis lines, as shown to users."""

    name: str
    phone: str
    hours: str
    website: str
    privacy_url: str
    crisis_emergency: str
    crisis_nhs_urgent: str
    crisis_nhs_urgent_option: str
    crisis_samaritans: str
    crisis_shout_text: str

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
            "practice_website": self.website,
            "privacy_url": self.privacy_url,
            "crisis_emergency": self.crisis_emergency,
            "crisis_nhs_urgent": self.crisis_nhs_urgent,
            "crisis_nhs_urgent_option": self.crisis_nhs_urgent_option,
            "crisis_samaritans": self.crisis_samaritans,
            "crisis_samaritans_tel": tel_digits(self.crisis_samaritans),
            "crisis_shout_text": self.crisis_shout_text,
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
    return Practice(**values)


@lru_cache(maxsize=1)
def practice() -> Practice:
    """The practice details for this process (read once)."""
    return load_practice()


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
