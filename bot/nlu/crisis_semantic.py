"""The semantic crisis detector: each clause of a message against a bank of risk exemplars.

A message is cut into sentences and clauses (``split_clauses``), because risk is often one
clause of an ordinary question ("how much is it, I've been saving my tablets"). Every unit
is encoded with the shared sentence encoder (one run per message: each unit's vector is
pooled from the message's token vectors) and compared by cosine with the exemplars in
``crisis_exemplars.yml``: risk statements labelled by kind, and hard negatives (ordinary
things said near risk language). A unit's score is a kNN margin:

    score = risk similarity - 2 * max(0, negative similarity - risk similarity)

where risk similarity is the mean of the unit's 2 nearest risk exemplars and negative
similarity its nearest hard negative's. So a clause counts as much as it resembles risk,
less twice the amount by which it resembles an ordinary statement more. The message's score
is its riskiest unit's. Two thresholds, chosen on the dev data only
(docs/safety/evaluation.md): ``crisis`` at or above the first, ``check_in`` (ask directly)
from the second up to the first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, List, Optional, Sequence, Tuple

import numpy as np
import yaml

BANK_FILE = Path(__file__).with_name("crisis_exemplars.yml")
NONE, CHECK_IN, CRISIS = "none", "check_in", "crisis"
KINDS = ("self", "other_person", "harm_to_others", "abuse", "ingestion")

# Chosen on the dev data (evaluation/crisis/dev.yml + dev_extra.yml, issue 11), recall first,
# on all three detectors together: crisis at the lowest score where together they stayed
# under 3% false alarms (0.54: 88.9% recall, 2.4%; 0.53 gave 3.7%), check-in from where the
# band caught all but 2% of dev risk messages without asking most ordinary ones.
CRISIS_THRESHOLD = 0.54
CHECK_IN_THRESHOLD = 0.46
NEIGHBOURS = 2
NEGATIVE_WEIGHT = 2.0  # k and weight from a grid on dev: k in 1-3, weight in 1, 2, 4

_SENTENCE_END = re.compile(r"(?:[.!?;:\n]+|\s-\s)")
# Words that join two clauses; risk is often the clause after one of them.
_JOINERS = re.compile(
    r",|\b(?:and|but|because|cos|coz|cuz|so|though|although|also|plus|or|then|tbh|anyway|otherwise)\b",
    re.IGNORECASE,
)
_WORDS = re.compile(r"[\w'’]+")
MAX_UNITS = 12  # a bound on the work per message
MIN_CLAUSE_WORDS = 3  # shorter clauses ("my partner") match anything; their sentence is still scored


def split_clauses(text: str) -> List[str]:
    """The units scored for ``text``: each sentence and each clause of 3+ words in it.

    In order of first appearance, without repeats. A message of several sentences is not
    scored whole: its sentences cover it. A "/" typed at the start is not a button.
    """
    prepared = _prepared(text)
    return [prepared[a:b] for a, b in clause_spans(text)]


def _prepared(text: str) -> str:
    return (text or "").strip().lstrip("/").strip()


def clause_spans(text: str) -> List[Tuple[int, int]]:
    """Where ``split_clauses``' units are, as (start, end) in the text stripped of spaces and "/"."""
    text = _prepared(text)
    if not text:
        return []
    spans: List[Tuple[int, int]] = []
    for a, b in _pieces(text, _SENTENCE_END, 0, len(text)):
        a, b = _trim(text, a, b)
        if a == b:
            continue
        spans.append((a, b))
        for c, d in _pieces(text, _JOINERS, a, b):
            c, d = _trim(text, c, d)
            if len(_WORDS.findall(text[c:d])) >= MIN_CLAUSE_WORDS:
                spans.append((c, d))
    seen, unique = set(), []
    for a, b in spans or [(0, len(text))]:
        key = text[a:b].lower()
        if key not in seen:
            seen.add(key)
            unique.append((a, b))
    return unique[:MAX_UNITS]


def _pieces(text: str, separator: "re.Pattern[str]", start: int, end: int) -> List[Tuple[int, int]]:
    """The stretches of text[start:end] between matches of ``separator``."""
    pieces, position = [], start
    for match in separator.finditer(text, start, end):
        pieces.append((position, match.start()))
        position = match.end()
    pieces.append((position, end))
    return pieces


def _trim(text: str, a: int, b: int) -> Tuple[int, int]:
    while a < b and text[a] in " ,":
        a += 1
    while b > a and text[b - 1] in " ,":
        b -= 1
    return a, b


@dataclass(frozen=True)
class ExemplarBank:
    risk_texts: List[str]
    risk_kinds: List[str]
    negatives: List[str]
    version: int = 1

    @classmethod
    def load(cls, path: Path = BANK_FILE) -> "ExemplarBank":
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        texts, kinds = [], []
        for kind, items in raw["risk"].items():
            if kind not in KINDS:
                raise ValueError(f"{path.name}: unknown kind {kind!r}")
            texts += list(items)
            kinds += [kind] * len(items)
        return cls(texts, kinds, list(raw["negatives"]), int(raw.get("version", 1)))


@dataclass
class UnitScore:
    text: str
    score: float
    risk_similarity: float
    negative_similarity: float
    kinds: List[str] = field(default_factory=list)


@dataclass
class Assessment:
    level: str
    score: float
    kinds: List[str]
    riskiest: Optional[UnitScore]


class SemanticCrisisDetector:
    def __init__(
        self,
        encoder,
        bank: Optional[ExemplarBank] = None,
        crisis_threshold: float = CRISIS_THRESHOLD,
        check_in_threshold: float = CHECK_IN_THRESHOLD,
        neighbours: int = NEIGHBOURS,
        normalise: Optional[Callable[[str], str]] = None,
    ) -> None:
        self.encoder = encoder
        self.bank = bank or ExemplarBank.load()
        if normalise is None:
            # the lexicon's rewrites ("2nite" -> "tonight", "sh" -> "self harm") help the encoder too
            from bot.nlu.crisis_lexicon import CrisisLexicon

            normalise = CrisisLexicon.load().normalise_text
        self.normalise = normalise
        self.crisis_threshold = crisis_threshold
        self.check_in_threshold = check_in_threshold
        self.neighbours = neighbours
        self._risk = self.encode(self.bank.risk_texts)
        self._negative = self.encode(self.bank.negatives)
        self._kinds = np.array(self.bank.risk_kinds)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self.encoder.encode([self.normalise(text) for text in texts])

    def score_vectors(self, texts: Sequence[str], vectors: np.ndarray) -> List[UnitScore]:
        if not len(texts):
            return []
        risk_sims = vectors @ self._risk.T
        negative = (vectors @ self._negative.T).max(axis=1)
        k = min(self.neighbours, risk_sims.shape[1])
        nearest = np.argsort(-risk_sims, axis=1)[:, :k]
        scores = []
        for i, text in enumerate(texts):
            risk = float(risk_sims[i, nearest[i]].mean())
            neg = float(negative[i])
            score = risk - NEGATIVE_WEIGHT * max(0.0, neg - risk)
            scores.append(UnitScore(text, score, risk, neg, self._kinds_for(risk_sims[i])))
        return scores

    def _kinds_for(self, sims: np.ndarray) -> List[str]:
        """Kinds ranked by their best exemplar's similarity to this unit."""
        best = {kind: float(sims[self._kinds == kind].max()) for kind in set(self.bank.risk_kinds)}
        return sorted(best, key=lambda kind: -best[kind])

    def assess(self, text: str) -> Assessment:
        """The message is rewritten once (the lexicon's normalisation), run through the encoder
        once, and each unit's vector is the mean of its own tokens' vectors from that run: one
        run per message instead of one per unit (the encoder's cache often has it already)."""
        prepared = _prepared(self.normalise_message(text))
        spans = clause_spans(prepared)
        units = [prepared[a:b] for a, b in spans]
        scored = self.score_vectors(units, self.encoder.encode_spans(prepared, spans))
        return self.assess_scores(scored)

    def normalise_message(self, text: str) -> str:
        """The lexicon's rewrites, line by line (a new line ends a sentence)."""
        return "\n".join(self.normalise(line) for line in (text or "").splitlines())

    def assess_scores(self, scored: Sequence[UnitScore]) -> Assessment:
        if not scored:
            return Assessment(NONE, 0.0, [], None)
        riskiest = max(scored, key=lambda unit: unit.score)
        # the two likeliest kinds even below the check-in band: another detector may fire
        return Assessment(self.level_for(riskiest.score), riskiest.score, riskiest.kinds[:2], riskiest)

    def level_for(self, score: float) -> str:
        if score >= self.crisis_threshold:
            return CRISIS
        if score >= self.check_in_threshold:
            return CHECK_IN
        return NONE
