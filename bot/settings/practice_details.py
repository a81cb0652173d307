"""The practice's details and the crisis lines, from ``practice.yml`` with environment overrides.

Every answer quotes these (``{practice_phone}``, ``{crisis_samaritans}`` ...) so that a
practice changes its phone line here, once, and no answer needs editing.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Mapping, Optional

from bot.settings.common import PRACTICE_FILE, ConfigurationError, read_practice_file

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

NATIONS = ("england", "wales", "scotland", "northern_ireland")


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


def load_practice(path: Path = PRACTICE_FILE, environ: Optional[Mapping[str, str]] = None) -> Practice:
    """Reads ``practice.yml`` and applies environment overrides."""
    environ = os.environ if environ is None else environ
    raw = read_practice_file(path, "practice details")

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


def _urgent_line(crisis: Mapping[str, Any], environ: Mapping[str, str], path: Path) -> Dict[str, str]:
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
    return {
        "crisis_nation": nation,
        "crisis_urgent_name": name,
        "crisis_nhs_urgent": number,
        "crisis_nhs_urgent_option": option,
    }


@lru_cache(maxsize=1)
def practice() -> Practice:
    """The practice details for this process (read once)."""
    return load_practice()
