"""Reads ``crisis_lexicon.yml`` and compiles its patterns into a spaCy Matcher.

Kept apart from the Rasa component so it can be tested, and reused (e.g. by the staff
console's evaluation), with nothing but spaCy.

Each match carries a ``framing``: ``current`` (answer with the crisis reply) or
``past_or_question`` when the match is only a topic word ("suicide", "self harm") in a
clause framed as the past or as a question about the service, and nothing in the message
says it is happening now. Those are asked about directly (a check-in) instead.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

import yaml
from spacy.language import Language
from spacy.matcher import Matcher

LEXICON_FILE = Path(__file__).with_name("crisis_lexicon.yml")
MAX_GAP = 3  # how many words a `*` may stand for
_WORD = re.compile(r"[\w'’-]+|[^\w\s]")
CURRENT, PAST_OR_QUESTION = "current", "past_or_question"
# Tokens that end a clause: the framing of one clause does not carry into the next.
_CLAUSE_BREAKS = {".", ",", "!", "?", ";", ":", "and", "but", "because", "so", "cos", "though",
                  "although", "also", "plus", "then", "-"}
# Lexicon categories -> the kinds in a message's `risk` record (bot/nlu/crisis_safety_net.py).
CATEGORY_KINDS = {
    "suicide": "self",
    "self_harm": "self",
    "harm_to_others": "harm_to_others",
    "abuse": "abuse",
    "medical_emergency": "ingestion",
    "other_person": "other_person",
}


@dataclass(frozen=True)
class CrisisLexicon:
    normalise: Dict[str, str]
    patterns: Dict[str, List[str]]  # category -> pattern strings
    phrases: Dict[str, str] = field(default_factory=dict)
    not_risk: List[str] = field(default_factory=list)
    past_or_question: List[str] = field(default_factory=list)
    topic_words: List[str] = field(default_factory=list)
    still_now: List[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path = LEXICON_FILE) -> "CrisisLexicon":
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(
            normalise={k.lower(): v.lower() for k, v in raw.get("normalise", {}).items()},
            patterns={cat: list(items) for cat, items in raw["patterns"].items()},
            phrases={k.lower(): v.lower() for k, v in (raw.get("phrases") or {}).items()},
            not_risk=list(raw.get("not_risk") or []),
            past_or_question=list(raw.get("past_or_question") or []),
            topic_words=list(raw.get("topic_words") or []),
            still_now=list(raw.get("still_now") or []),
        )

    def normalise_text(self, text: str) -> str:
        """Lower case, straight apostrophes, text-speak and misspellings rewritten."""
        text = text.lower().replace("’", "'").replace("‘", "'")
        for phrase, replacement in self.phrases.items():
            text = re.sub(rf"(?<!\w){re.escape(phrase)}(?!\w)", replacement, text)
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
    specs: List[Dict[str, Any]] = []
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


def _add(matcher: Matcher, nlp: Language, label: str, patterns: Sequence[str]) -> None:
    compiled: List[List[dict]] = []
    for pattern in patterns:
        compiled.extend(compile_pattern(nlp, pattern))
    if compiled:
        matcher.add(label, compiled)


def build_matcher(nlp: Language, lexicon: CrisisLexicon) -> Matcher:
    matcher = Matcher(nlp.vocab)
    for category, patterns in lexicon.patterns.items():
        _add(matcher, nlp, category, patterns)
    return matcher


class CrisisDetector:
    """Finds risk language in a message; the rule half of the crisis safety net."""

    def __init__(self, nlp: Language, lexicon: CrisisLexicon | None = None) -> None:
        self.nlp = nlp
        self.lexicon = lexicon or CrisisLexicon.load()
        self.matcher = build_matcher(nlp, self.lexicon)
        self._context = Matcher(nlp.vocab)
        for label, patterns in (
            ("not_risk", self.lexicon.not_risk),
            ("past_or_question", self.lexicon.past_or_question),
            ("topic", self.lexicon.topic_words),
            ("still_now", self.lexicon.still_now),
        ):
            _add(self._context, nlp, label, patterns)

    def find(self, text: str) -> List[Dict[str, str]]:
        """The risk phrases in ``text``: ``[{"category", "phrase", "framing"}]``, empty if none."""
        doc = self.nlp(self.lexicon.normalise_text(text))
        context: Dict[str, List[Tuple[int, int]]] = {}
        for match_id, start, end in self._context(doc):
            context.setdefault(self.nlp.vocab.strings[match_id], []).append((start, end))
        clause_of = _clause_ids(doc)
        now = bool(context.get("still_now"))
        spans = [(self.nlp.vocab.strings[match_id], start, end) for match_id, start, end in self.matcher(doc)
                 if not any(s < end and start < e for s, e in context.get("not_risk", []))]
        found: List[Dict[str, str]] = []
        for category, start, end in spans:
            clause = clause_of[start]
            framed = any(clause_of[s] == clause for s, _ in context.get("past_or_question", []))
            topic_only = any(s <= start and end <= e for s, e in context.get("topic", []))
            found.append({
                "category": category,
                "phrase": doc[start:end].text,
                "framing": PAST_OR_QUESTION if (framed and topic_only and not now) else CURRENT,
            })
        return found

    def is_risky(self, text: str) -> bool:
        return any(match["framing"] == CURRENT for match in self.find(text))


def _clause_ids(doc) -> List[int]:
    """For each token, the number of the clause it is in."""
    ids, clause = [], 0
    for token in doc:
        if token.lower_ in _CLAUSE_BREAKS:
            clause += 1
        ids.append(clause)
    return ids


def matched_categories(matches: Sequence[Dict[str, str]]) -> List[str]:
    return sorted({match["category"] for match in matches})


def matched_kinds(matches: Sequence[Dict[str, str]]) -> List[str]:
    """The kinds of the matches, most frequent first (ties in a fixed order)."""
    counts: Dict[str, int] = {}
    for match in matches:
        kind = CATEGORY_KINDS.get(match["category"], "self")
        counts[kind] = counts.get(kind, 0) + 1
    order = list(CATEGORY_KINDS.values())
    return sorted(counts, key=lambda kind: (-counts[kind], order.index(kind)))
