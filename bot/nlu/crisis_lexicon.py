"""Reads ``crisis_lexicon.yml`` and compiles its patterns into a spaCy Matcher.

Kept apart from the Rasa component so it can be tested, and reused (e.g. by the staff
console's evaluation), with nothing but spaCy.

Each match carries a ``framing``: ``current`` (answer with the crisis reply), or one that
is asked about directly (a check-in) instead:
- ``check_in``: a pattern from ``check_in_patterns`` (words that also carry ordinary
  meanings: "chest pain", "passed out", "going to die");
- ``topic_only``: a match that is only a topic word ("suicide", "self harm", "overdose") with
  nothing in the message saying it is happening now. A visitor's own current words ("I'm
  suicidal", "I keep thinking about suicide") are patterns of their own and stay ``current``;
- ``past_or_question``: a match that is only a past act ("attempted", "killed himself",
  "was abused") in a clause framed as the past or as a question about the service, with
  nothing saying it is happening now.
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
SHORT_MESSAGE_TOKENS = 3  # a topic word in a message this short is not downgraded
_WORD = re.compile(r"[\w'’-]+|[^\w\s]")
CURRENT, PAST_OR_QUESTION, CHECK_IN, TOPIC_ONLY = "current", "past_or_question", "check_in", "topic_only"
# Tokens that end a clause: the framing of one clause does not carry into the next.
_CLAUSE_BREAKS = {
    ".",
    ",",
    "!",
    "?",
    ";",
    ":",
    "and",
    "but",
    "because",
    "so",
    "cos",
    "though",
    "although",
    "also",
    "plus",
    "then",
    "-",
}
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
    past_acts: List[str] = field(default_factory=list)
    still_now: List[str] = field(default_factory=list)
    check_in_patterns: Dict[str, List[str]] = field(default_factory=dict)  # category -> patterns

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
            past_acts=list(raw.get("past_acts") or []),
            still_now=list(raw.get("still_now") or []),
            check_in_patterns={
                cat: list(items) for cat, items in (raw.get("check_in_patterns") or {}).items()
            },
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
    if token == "#":
        return [[{"LIKE_NUM": True}]]
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
    return [[spec for part in combination for spec in part] for combination in itertools.product(*per_token)]


def _add(matcher: Matcher, nlp: Language, label: str, patterns: Sequence[str]) -> None:
    compiled: List[List[dict]] = []
    for pattern in patterns:
        compiled.extend(compile_pattern(nlp, pattern))
    if compiled:
        matcher.add(label, compiled)


def build_matcher(nlp: Language, patterns: Dict[str, List[str]]) -> Matcher:
    matcher = Matcher(nlp.vocab)
    for category, items in patterns.items():
        _add(matcher, nlp, category, items)
    return matcher


class CrisisDetector:
    """Finds risk language in a message; the rule half of the crisis safety net."""

    def __init__(self, nlp: Language, lexicon: CrisisLexicon | None = None) -> None:
        self.nlp = nlp
        self.lexicon = lexicon or CrisisLexicon.load()
        self.matcher = build_matcher(nlp, self.lexicon.patterns)
        self.check_in_matcher = build_matcher(nlp, self.lexicon.check_in_patterns)
        self._context = Matcher(nlp.vocab)
        for label, patterns in (
            ("not_risk", self.lexicon.not_risk),
            ("past_or_question", self.lexicon.past_or_question),
            ("topic", self.lexicon.topic_words),
            ("past_act", self.lexicon.past_acts),
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
        found: List[Dict[str, Any]] = []
        for matcher, tier in ((self.matcher, CURRENT), (self.check_in_matcher, CHECK_IN)):
            for match_id, start, end in matcher(doc):
                if any(s < end and start < e for s, e in context.get("not_risk", [])):
                    continue
                found.append(
                    {
                        "category": self.nlp.vocab.strings[match_id],
                        "phrase": doc[start:end].text,
                        "_span": (start, end),
                        "_tier": tier,
                    }
                )
        for match in found:
            start, end = match.pop("_span")
            if match.pop("_tier") == CHECK_IN:
                match["framing"] = CHECK_IN
                continue
            clause = clause_of[start]
            framed = any(clause_of[s] == clause for s, _ in context.get("past_or_question", []))
            topic_only = any(s <= start and end <= e for s, e in context.get("topic", []))
            past_act = any(s <= start and end <= e for s, e in context.get("past_act", []))
            # a message that is little more than the word ("suicidal", "feeling suicidal") is the writer's state
            if topic_only and not now and len(doc) > SHORT_MESSAGE_TOKENS:
                match["framing"] = TOPIC_ONLY
            elif past_act and framed and not now:
                match["framing"] = PAST_OR_QUESTION
            else:
                match["framing"] = CURRENT
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
