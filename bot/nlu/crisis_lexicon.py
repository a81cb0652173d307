"""Reads ``crisis_lexicon.yml`` and compiles its patterns into a spaCy Matcher.

Kept apart from the Rasa component so it can be tested, and reused (e.g. by the staff
console's evaluation), with nothing but spaCy.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Sequence

import yaml
from spacy.language import Language
from spacy.matcher import Matcher

LEXICON_FILE = Path(__file__).with_name("crisis_lexicon.yml")
MAX_GAP = 3  # how many words a `*` may stand for
_WORD = re.compile(r"[\w'’-]+|[^\w\s]")


@dataclass(frozen=True)
class CrisisLexicon:
    normalise: Dict[str, str]
    patterns: Dict[str, List[str]]  # category -> pattern strings

    @classmethod
    def load(cls, path: Path = LEXICON_FILE) -> "CrisisLexicon":
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(
            normalise={k.lower(): v.lower() for k, v in raw.get("normalise", {}).items()},
            patterns={cat: list(items) for cat, items in raw["patterns"].items()},
        )

    def normalise_text(self, text: str) -> str:
        """Lower case, straight apostrophes, text-speak and misspellings rewritten."""
        text = text.lower().replace("’", "'").replace("‘", "'")
        words = _WORD.findall(text)
        return " ".join(self.normalise.get(word, word) for word in words)


def _lemma(nlp: Language, word: str) -> str:
    return nlp(word)[0].lemma_ or word


def _token_specs(nlp: Language, token: str) -> List[List[dict]]:
    """Matcher token dicts for one pattern token; several if it mixes lemma and exact forms."""
    if token == "*":
        return [[{"OP": "?"}] * MAX_GAP]
    optional = token.startswith("?")
    alternatives = token.lstrip("?").split("|")
    exact = [alt[1:] for alt in alternatives if alt.startswith("=")]
    lemmas = sorted({_lemma(nlp, alt) for alt in alternatives if not alt.startswith("=")})
    specs = []
    if lemmas:
        specs.append({"LEMMA": {"IN": lemmas}})
    if exact:
        specs.append({"LOWER": {"IN": exact}})
    if optional:
        for spec in specs:
            spec["OP"] = "?"
    return [[spec] for spec in specs]


def compile_pattern(nlp: Language, pattern: str) -> List[List[dict]]:
    """One lexicon line -> the spaCy Matcher patterns it stands for."""
    per_token = [_token_specs(nlp, token) for token in pattern.lower().split()]
    return [
        [spec for part in combination for spec in part]
        for combination in itertools.product(*per_token)
    ]


def build_matcher(nlp: Language, lexicon: CrisisLexicon) -> Matcher:
    matcher = Matcher(nlp.vocab)
    for category, patterns in lexicon.patterns.items():
        compiled: List[List[dict]] = []
        for pattern in patterns:
            compiled.extend(compile_pattern(nlp, pattern))
        matcher.add(category, compiled)
    return matcher


class CrisisDetector:
    """Finds risk language in a message; the rule half of the crisis safety net."""

    def __init__(self, nlp: Language, lexicon: CrisisLexicon | None = None) -> None:
        self.nlp = nlp
        self.lexicon = lexicon or CrisisLexicon.load()
        self.matcher = build_matcher(nlp, self.lexicon)

    def find(self, text: str) -> List[Dict[str, str]]:
        """The risk phrases in ``text``: ``[{"category": ..., "phrase": ...}]``, empty if none."""
        doc = self.nlp(self.lexicon.normalise_text(text))
        return [
            {"category": self.nlp.vocab.strings[match_id], "phrase": doc[start:end].text}
            for match_id, start, end in self.matcher(doc)
        ]

    def is_risky(self, text: str) -> bool:
        return bool(self.find(text))


def matched_categories(matches: Sequence[Dict[str, str]]) -> List[str]:
    return sorted({match["category"] for match in matches})
