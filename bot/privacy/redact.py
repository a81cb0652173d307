"""Removes personal data from free text: email addresses, UK phone numbers, postcodes, NHS numbers.

Pure functions, no Rasa: the tracker store (``bot/storage/redaction.py``) calls
``redact`` on what users type before it reaches the database. Each match becomes a
placeholder naming what was there (``[email]``), so staff reading a transcript still
understand the message. The patterns err towards redacting: a mistyped NHS number or a
phone number with odd spacing is still personal data.
"""

from __future__ import annotations

import re
from typing import Iterable, Tuple

EMAIL = "[email]"
PHONE = "[phone]"
POSTCODE = "[postcode]"
NHS_NUMBER = "[NHS number]"

_EMAIL_RE = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")

# +44 7700 900123, 0044 20 7946 0958, +44 (0)20 7946 0958, (020) 7946 0958, 07700-900-123:
# an international or trunk prefix, then 9 or 10 digits with up to two separators between.
_PHONE_RE = re.compile(
    r"(?<![\w+])"
    r"(?:(?:\+\s?|00)44[\s.-]?(?:\(0\)[\s.-]?)?|\(?0)"
    r"(?:[\s.\-()]{0,2}\d){9,10}"
    r"(?![\d])"
)

# NHS (and Scottish CHI) numbers: ten digits, usually written 3 3 4.
_NHS_RE = re.compile(r"(?<![\d])\d{3}[\s-]?\d{3}[\s-]?\d{4}(?![\d])")

# Full UK postcodes (outward + inward code), in any case, with or without the space.
_POSTCODE_RE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def redact(text: str, keep: Iterable[str] = ()) -> str:
    """``text`` with personal data replaced by placeholders.

    ``keep`` lists numbers that are not personal (the practice's own line): a phone-like
    match whose digits equal one of them is left alone.
    """
    if not text:
        return text
    kept = {digits(number) for number in keep if digits(number)}

    def phone(match: "re.Match[str]") -> str:
        return match.group(0) if digits(match.group(0)) in kept else PHONE

    # Emails first: their local part may hold digits that look like a phone number.
    text = _EMAIL_RE.sub(EMAIL, text)
    text = _PHONE_RE.sub(phone, text)
    text = _NHS_RE.sub(NHS_NUMBER, text)
    return _POSTCODE_RE.sub(POSTCODE, text)


def found(text: str) -> Tuple[str, ...]:
    """The kinds of personal data in ``text`` (for tests and reports), in a stable order."""
    kinds = []
    for placeholder, pattern in ((EMAIL, _EMAIL_RE), (PHONE, _PHONE_RE), (NHS_NUMBER, _NHS_RE),
                                 (POSTCODE, _POSTCODE_RE)):
        if pattern.search(text):
            kinds.append(placeholder)
    return tuple(kinds)
