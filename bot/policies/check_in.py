"""Reading the risk the detectors found, and the visitor's answer to the safety check-in.

Pure functions over parse data and text, so the dialogue policy (``crisis_flow.py``) stays
a short list of decisions and each reading is tested on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence, Tuple

import yaml

ANSWERS_FILE = Path(__file__).with_name("check_in_answers.yml")

# The crisis reply's variants (conditions on the ``crisis_reply`` slot in domain.yml).
KINDS = ("self", "other_person", "harm_to_others", "abuse", "ingestion")
DEFAULT_KIND = "self"
REPEAT = "repeat"

YES, NO, UNCLEAR = "yes", "no", "unclear"


@dataclass(frozen=True)
class Risk:
    """``parse_data["risk"]`` as the detectors (bot/nlu) write it; absent means none."""

    level: str = "none"  # "none" | "check_in" | "crisis"
    score: float = 0.0
    kinds: Tuple[str, ...] = ()

    @classmethod
    def of(cls, parse_data: Optional[Mapping[str, Any]]) -> "Risk":
        raw = (parse_data or {}).get("risk")
        if not isinstance(raw, Mapping):
            return cls()
        try:
            score = float(raw.get("score") or 0.0)
        except (TypeError, ValueError):
            score = 0.0
        level = str(raw.get("level") or "none")
        if level not in ("none", "check_in", "crisis"):
            level = "none"
        kinds = tuple(k for k in raw.get("kinds") or () if k in KINDS)
        return cls(level, score, kinds)

    @property
    def reply_kind(self) -> str:
        """The variant of the crisis reply that fits whoever is writing.

        Something swallowed or taken wins wherever it is in the list: it is a medical
        emergency, and that variant puts 999/A&E first. Otherwise the likeliest kind.
        """
        if "ingestion" in self.kinds:
            return "ingestion"
        return self.kinds[0] if self.kinds else DEFAULT_KIND


@dataclass(frozen=True)
class Answers:
    no: Tuple[str, ...]
    no_starts: Tuple[str, ...]
    benign_tail: Tuple[str, ...]
    yes_words: Tuple[str, ...]


@lru_cache(maxsize=1)
def answers(path: Path = ANSWERS_FILE) -> Answers:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    longest_first = lambda items: tuple(sorted((normalise(i) for i in items), key=len, reverse=True))  # noqa: E731
    return Answers(
        *(longest_first(raw[key]) for key in ("no_answers", "no_starts", "benign_tail", "yes_words"))
    )


_DROP = re.compile(r"[^\w'/ ]+")


def normalise(text: str) -> str:
    """``"No, I’m fine!!"`` -> ``"no i'm fine"``."""
    text = (text or "").lower().replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(_DROP.sub(" ", text).split())


def _has_phrase(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![\w']){re.escape(phrase)}(?![\w'])", text) is not None


def _strip_tails(rest: str, tails: Sequence[str]) -> str:
    while rest:
        for tail in tails:
            if rest == tail or rest.startswith(tail + " "):
                rest = rest[len(tail) :].strip()
                break
        else:
            return rest
    return rest


def read_answer(text: str, intent: Optional[str] = None, risk: Optional[Risk] = None) -> str:
    """``yes``, ``no`` or ``unclear`` for a reply to the check-in.

    A worrying reply (any risk the detectors found) is never a no, whatever its words.
    """
    if risk is not None and risk.level != "none":
        return YES
    words, table = normalise(text), answers()
    for phrase in table.no:
        tail = words[len(phrase) :].strip()
        if words == phrase or (words.startswith(phrase + " ") and not _strip_tails(tail, table.benign_tail)):
            return NO
    if any(_has_phrase(words, word) for word in table.yes_words):
        return YES
    if any(words == start or words.startswith(start + " ") for start in table.no_starts):
        return NO
    if intent == "affirm":
        return YES
    if intent == "deny":
        return NO
    return UNCLEAR
