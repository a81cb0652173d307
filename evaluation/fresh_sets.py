"""The fresh, frozen test sets: where they are, and the overlap check they were built with.

    python -m evaluation.fresh_sets        # counts, SHA-256s and any overlap (texts of the
                                           # fresh files only; training text is never printed)

evaluation/crisis/test_fresh.yml and evaluation/real_questions/test_fresh.yml were written
after the dev/test splits, by someone who saw no training data, lexicon, exemplar bank or
model output (evaluation/FRESH_TEST_SETS.md). A fresh message must not repeat, exactly or
nearly, any text in the other evaluation files or the training data: "nearly" means the
same lowercase words in the same order, or, for messages of four words or more, word sets
that overlap by NEAR_JACCARD or more.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Optional, Set, Tuple

import yaml

from bot.settings import PROJECT_ROOT

CRISIS_DIR = PROJECT_ROOT / "evaluation" / "crisis"
REAL_DIR = PROJECT_ROOT / "evaluation" / "real_questions"
CRISIS_FRESH = CRISIS_DIR / "test_fresh.yml"
REAL_FRESH = REAL_DIR / "test_fresh.yml"
DOC = PROJECT_ROOT / "evaluation" / "FRESH_TEST_SETS.md"
DATA_DIR = PROJECT_ROOT / "data"
CRISIS_TRAINING = DATA_DIR / "nlu" / "crisis.yml"
NEAR_JACCARD = 0.8
_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> Tuple[str, ...]:
    """Lowercase words, apostrophes dropped ("I'm" -> "im"), punctuation ignored."""
    return tuple(_WORD.findall(text.lower().replace("'", "").replace("\u2019", "")))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _strings(node) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def texts_in(path: Path) -> List[str]:
    """Every message-like string in a YAML file; Rasa `examples: |` blocks split by line."""
    found = []
    for string in _strings(yaml.safe_load(path.read_text(encoding="utf-8"))):
        for line in string.splitlines():
            line = re.sub(r"^\s*-\s*", "", line).strip()
            line = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line)  # Rasa entity markup
            if line:
                found.append(line)
    return found


def crisis_fresh_texts(data: Dict) -> List[str]:
    texts = [item["text"] for key in ("risk", "ordinary") for item in data[key]]
    for key in ("conversations_risk", "conversations_ordinary"):
        texts += [turn for conversation in data[key] for turn in conversation["turns"]]
    return texts


def crisis_reference_files() -> List[Path]:
    """The other crisis evaluation files and the crisis training data (read, never shown)."""
    files = [p for p in sorted(CRISIS_DIR.glob("*.yml")) if p != CRISIS_FRESH]
    return files + [CRISIS_TRAINING]


class Overlap:
    """Exact and near-duplicate look-up against a set of reference texts."""

    def __init__(self, references: Iterable[str]) -> None:
        self.sequences: Set[Tuple[str, ...]] = set()
        self.word_sets: List[frozenset] = []
        for text in references:
            seq = words(text)
            if seq:
                self.sequences.add(seq)
                self.word_sets.append(frozenset(seq))

    def matches(self, text: str) -> Optional[str]:
        """ "exact", "near" or None."""
        seq = words(text)
        if seq in self.sequences:
            return "exact"
        if len(seq) >= 4:
            mine = frozenset(seq)
            for other in self.word_sets:
                if len(mine & other) / len(mine | other) >= NEAR_JACCARD:
                    return "near"
        return None


def crisis_overlaps(data: Dict) -> List[Tuple[str, str]]:
    """(fresh text, how it overlaps) for every fresh crisis text that repeats a reference."""
    references = [t for path in crisis_reference_files() for t in texts_in(path)]
    overlap = Overlap(references)
    texts = crisis_fresh_texts(data)
    hits = [(t, kind) for t in texts if (kind := overlap.matches(t))]
    seen: Set[Tuple[str, ...]] = set()
    for text in texts:  # conversations may repeat nothing either, inside the fresh file
        seq = words(text)
        if seq in seen:
            hits.append((text, "repeated in the fresh file"))
        seen.add(seq)
    return hits


def real_reference_texts() -> List[str]:
    texts = []
    for split in ("dev", "test"):
        data = yaml.safe_load((REAL_DIR / f"{split}.yml").read_text(encoding="utf-8"))
        texts += [q["text"] for q in data["questions"]]
    for path in sorted(DATA_DIR.rglob("*.yml")):
        texts += texts_in(path)
    return texts


# Rule 17 of the labelling rules: "therapy" and "psychotherapy" do not make a question new
# (nor do US spellings).
_SAME_WORD = {
    "psychotherapy": "therapy",
    "psychotherapist": "therapist",
    "psychotherapists": "therapists",
    "counseling": "counselling",
    "counselor": "counsellor",
    "counselors": "counsellors",
}


def _keys(text: str) -> Set[Tuple[str, ...]]:
    """Both ways of ignoring an apostrophe ("can't" as "cant" and as "can t"), and rule 17."""
    seq = words(text)
    return {seq, tuple(re.findall(r"[a-z0-9]+", text.lower())), tuple(_SAME_WORD.get(w, w) for w in seq)}


def real_overlaps(questions: List[Dict]) -> List[str]:
    """Fresh questions already in dev/test or data/ (case, punctuation and rule 17 ignored), or repeated."""
    known = set().union(*(_keys(t) for t in real_reference_texts()))
    hits, seen = [], set()
    for question in questions:
        keys = _keys(question["text"])
        if keys & known or keys & seen:
            hits.append(question["text"])
        seen |= keys
    return hits


def main() -> None:
    crisis = yaml.safe_load(CRISIS_FRESH.read_text(encoding="utf-8"))
    real = yaml.safe_load(REAL_FRESH.read_text(encoding="utf-8"))
    print({key: len(value) for key, value in crisis.items()}, "real questions:", len(real["questions"]))
    for text, kind in crisis_overlaps(crisis):
        print(f"crisis overlap ({kind}): {text}")
    for text in real_overlaps(real["questions"]):
        print(f"real-question overlap: {text}")
    for path in (CRISIS_FRESH, REAL_FRESH):
        print(f"{sha256(path)}  {path.relative_to(PROJECT_ROOT)}")


if __name__ == "__main__":
    main()
