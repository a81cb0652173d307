"""The real visitors' question set (evaluation/real_questions/): frozen test split, sources,
labels, no duplicates and no overlap with the training data under data/."""

import hashlib
import re
import unicodedata
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SET_DIR = ROOT / "evaluation" / "real_questions"
SPLITS = ("dev", "test")
# The test split is frozen: this is its SHA-256, also recorded in docs/nlu.md. Changing
# test.yml (even a comment) must fail here; gather new questions into dev.yml instead.
TEST_SHA256 = "5a2f022be5ee467220dd4825331897f4b3d3c23baec55afddcd88e347763171d"
EXTRA_LABELS = {"out_of_scope", "crisis"}
ENTRY_KEYS = {"text", "accept", "source", "note"}


def normalise(text):
    """Case, punctuation, curly quotes and spacing do not make a question new."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.translate(str.maketrans("‘’“”", "''\"\""))
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def load(split):
    return yaml.safe_load((SET_DIR / f"{split}.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def entries():
    return {split: load(split)["questions"] for split in SPLITS}


def topic_ids():
    topics = yaml.safe_load((ROOT / "bot" / "content" / "topics.yml").read_text(encoding="utf-8"))
    return set(topics["topics"])


def training_texts():
    """Every string in data/**/*.yml; NLU `examples` blocks are split into their lines."""
    found = set()

    def walk(node, key=None):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str):
            lines = node.splitlines() if key == "examples" else [node]
            for line in lines:
                line = line.strip()
                if key == "examples":
                    if not line.startswith("- "):
                        continue
                    line = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line[2:])
                found.add(normalise(line))

    for path in sorted((ROOT / "data").rglob("*.yml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    found.discard("")
    return found


def test_test_split_is_frozen():
    digest = hashlib.sha256((SET_DIR / "test.yml").read_bytes()).hexdigest()
    assert digest == TEST_SHA256, "test.yml changed: the test split is frozen"


def test_docs_record_the_frozen_hash():
    docs = (ROOT / "docs" / "nlu.md").read_text(encoding="utf-8")
    assert "Real visitors' questions" in docs
    assert TEST_SHA256 in docs


def test_each_file_names_its_split(entries):
    for split in SPLITS:
        assert load(split)["split"] == split
        assert len(entries[split]) > 0


def test_the_set_is_large_enough(entries):
    assert sum(len(rows) for rows in entries.values()) >= 420


@pytest.mark.parametrize("split", SPLITS)
def test_every_entry_is_well_formed_with_a_source_url(entries, split):
    for row in entries[split]:
        assert set(row) <= ENTRY_KEYS and {"text", "accept", "source"} <= set(row), row
        assert isinstance(row["text"], str) and row["text"].strip(), row
        url = urlparse(row["source"])
        assert url.scheme in ("http", "https") and url.netloc, row
        assert isinstance(row["accept"], list) and row["accept"], row
        assert len(set(row["accept"])) == len(row["accept"]), row


@pytest.mark.parametrize("split", SPLITS)
def test_only_known_labels(entries, split):
    known = topic_ids() | EXTRA_LABELS
    unknown = {label for row in entries[split] for label in row["accept"]} - known
    assert not unknown, f"labels not in bot/content/topics.yml: {sorted(unknown)}"


def test_no_duplicate_texts_within_or_across_splits(entries):
    seen = {}
    for split in SPLITS:
        for row in entries[split]:
            key = normalise(row["text"])
            assert key not in seen, f"{row['text']!r} is in {seen.get(key)} and {split}"
            seen[key] = split


def test_no_real_question_is_in_the_training_data(entries):
    train = training_texts()
    leaked = [row["text"] for split in SPLITS for row in entries[split] if normalise(row["text"]) in train]
    assert not leaked, f"real questions found verbatim under data/: {leaked}"


def test_the_normaliser_treats_case_and_punctuation_as_the_same_text():
    assert normalise("WHAT is Psychoanalysis?") == normalise("what is psychoanalysis")
    assert normalise("Can’t I?") == normalise("can't i")
    assert normalise("Is it private?") != normalise("Is it free?")
