"""Removes personal data from free text, with the patterns in ``patterns.yml``.

Pure functions, no Rasa: the tracker store (``bot/privacy/stored.py``) calls ``redact`` on
what users type before it reaches the database. Each match becomes a placeholder naming
what was there (``[email]``, ``[name]``), so staff reading a transcript still understand the
message. Kinds: e-mail addresses (also spelt out), dates of birth, NI numbers, phone
numbers (UK with or without 0/+44, international), NHS numbers, other long numbers,
postcodes, street addresses, and names after "my name is", "I'm called", "this is".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, List, Optional, Tuple, overload

import yaml

PATTERNS_FILE = Path(__file__).with_name("patterns.yml")

EMAIL = "[email]"
PHONE = "[phone]"
POSTCODE = "[postcode]"
NHS_NUMBER = "[NHS number]"
NI_NUMBER = "[NI number]"
DATE = "[date]"
ADDRESS = "[address]"
NAME = "[name]"
NUMBER = "[number]"


@dataclass(frozen=True)
class Kind:
    kind: str
    placeholder: str
    patterns: Tuple["re.Pattern[str]", ...]
    keep_practice_numbers: bool = False


def _expand(pattern: str, words: dict) -> str:
    return re.sub(r"\{([a-z_]+)\}", lambda m: words.get(m.group(1), m.group(0)), pattern)


def load_kinds(path: Path = PATTERNS_FILE) -> Tuple[Kind, ...]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    words = {name: _expand(value, {}) for name, value in (raw.get("words") or {}).items()}
    kinds = []
    for entry in raw["kinds"]:
        compiled = []
        for item in entry["patterns"]:
            item = item if isinstance(item, dict) else {"pattern": item}
            flags = re.IGNORECASE if item.get("ignore_case", entry.get("ignore_case", True)) else 0
            compiled.append(re.compile(_expand(item["pattern"], words), flags))
        kinds.append(
            Kind(
                entry["kind"], entry["placeholder"], tuple(compiled), bool(entry.get("keep_practice_numbers"))
            )
        )
    return tuple(kinds)


@lru_cache(maxsize=1)
def kinds() -> Tuple[Kind, ...]:
    return load_kinds()


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _blank(text: str, kind: Kind, kept: set) -> str:
    for pattern in kind.patterns:

        def replace(match: "re.Match[str]", pattern: "re.Pattern[str]" = pattern) -> str:
            if kind.keep_practice_numbers and digits(match.group(0)) in kept:
                return match.group(0)
            if "value" in pattern.groupindex and match.group("value") is not None:
                start, end = match.span("value")
                offset = match.start()
                whole = match.group(0)
                return whole[: start - offset] + kind.placeholder + whole[end - offset :]
            return kind.placeholder

        text = pattern.sub(replace, text)
    return text


@overload
def redact(text: str, keep: Iterable[str] = ()) -> str: ...


@overload
def redact(text: None, keep: Iterable[str] = ()) -> None: ...


def redact(text: Optional[str], keep: Iterable[str] = ()) -> Optional[str]:
    """``text`` with personal data replaced by placeholders.

    ``keep`` lists numbers that are not personal (the practice's own line): a phone-like
    match whose digits equal one of them is left alone.
    """
    if not text:
        return text
    kept = {digits(number) for number in keep if digits(number)}
    for kind in kinds():
        text = _blank(text, kind, kept)
    return text


def found(text: str) -> Tuple[str, ...]:
    """The placeholders of the kinds of personal data in ``text``, in the patterns' order."""
    hits: List[str] = []
    for kind in kinds():
        if any(pattern.search(text) for pattern in kind.patterns) and kind.placeholder not in hits:
            hits.append(kind.placeholder)
    return tuple(hits)
