"""The crisis evaluation's test split is frozen: its SHA-256 is the one recorded in the docs."""

import re

from bot.settings import PROJECT_ROOT
from evaluation import crisis_split

EVALUATION_DOC = PROJECT_ROOT / "docs" / "safety" / "evaluation.md"


def recorded_sha256() -> str:
    match = re.search(r"test\.yml SHA-256: `([0-9a-f]{64})`", EVALUATION_DOC.read_text(encoding="utf-8"))
    assert match, "docs/safety/evaluation.md must record test.yml's SHA-256"
    return match.group(1)


def test_test_split_is_the_frozen_one():
    assert crisis_split.sha256(crisis_split.TEST_FILE) == recorded_sha256()


def test_split_is_reproducible_from_the_sources():
    parts = crisis_split.build_split()
    for part, path in (("dev", crisis_split.DEV_FILE), ("test", crisis_split.TEST_FILE)):
        assert path.read_text(encoding="utf-8") == crisis_split.render(part, parts[part])


def test_split_covers_every_category_and_is_large_enough():
    parts = crisis_split.build_split()
    for key in ("risk", "ordinary"):
        dev = {item["category"] for item in parts["dev"][key]}
        test = {item["category"] for item in parts["test"][key]}
        assert dev == test
    total_risk = len(parts["dev"]["risk"]) + len(parts["test"]["risk"])
    total_ordinary = len(parts["dev"]["ordinary"]) + len(parts["test"]["ordinary"])
    assert total_risk >= 420 and total_ordinary >= 420
    kinds = {item["kind"] for item in parts["test"]["risk"]}
    assert kinds == {"self", "other_person", "harm_to_others", "abuse", "ingestion"}


def test_no_message_is_in_both_halves():
    parts = crisis_split.build_split()
    for key in ("risk", "ordinary"):
        dev = {item["text"].lower() for item in parts["dev"][key]}
        test = {item["text"].lower() for item in parts["test"][key]}
        assert not dev & test
