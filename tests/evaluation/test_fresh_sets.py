"""The fresh test sets (evaluation/FRESH_TEST_SETS.md) are frozen, large and varied enough,
labelled with valid ids, apart from every other evaluation file and the training data, and
readable by the evaluators' loaders (no model is run here)."""

import re
from collections import Counter

import pytest
import yaml

from bot.settings import PROJECT_ROOT
from evaluation import fresh_sets
from evaluation.crisis_split import DEV_FILE, load_part, load_parts

RISK_KINDS = {"self", "other_person", "harm_to_others", "abuse", "ingestion"}
RISK_REGISTERS = {"plain", "text_speak", "typo", "uk_slang", "long", "clause", "third_party"}
EXTRA_LABELS = {"out_of_scope", "crisis"}


@pytest.fixture(scope="module")
def crisis():
    return load_part(fresh_sets.CRISIS_FRESH)


@pytest.fixture(scope="module")
def dev():
    return load_part(DEV_FILE)


@pytest.fixture(scope="module")
def questions():
    data = yaml.safe_load(fresh_sets.REAL_FRESH.read_text(encoding="utf-8"))
    assert data["split"] == "test_fresh"
    return data["questions"]


def recorded_sha256(path):
    name = re.escape(str(path.relative_to(PROJECT_ROOT)))
    match = re.search(rf"\| {name} \| `([0-9a-f]{{64}})` \|", fresh_sets.DOC.read_text(encoding="utf-8"))
    assert match, f"{fresh_sets.DOC.name} must record {path.name}'s SHA-256"
    return match.group(1)


@pytest.mark.parametrize("path", [fresh_sets.CRISIS_FRESH, fresh_sets.REAL_FRESH], ids=["crisis", "real"])
def test_fresh_file_is_the_frozen_one(path):
    assert fresh_sets.sha256(path) == recorded_sha256(path), f"{path.name} changed: it is frozen"


def test_crisis_counts(crisis):
    assert len(crisis["risk"]) >= 200 and len(crisis["ordinary"]) >= 200
    assert len(crisis["conversations_risk"]) >= 12 and len(crisis["conversations_ordinary"]) >= 8


def test_crisis_items_have_dev_shape(crisis):
    for item in crisis["risk"]:
        assert set(item) == {"text", "category", "register", "kind"}, item
    for item in crisis["ordinary"]:
        assert set(item) == {"text", "category", "register"}, item
    for conversation in crisis["conversations_risk"]:
        assert set(conversation) == {"category", "kind", "turns"}, conversation
    for conversation in crisis["conversations_ordinary"]:
        assert set(conversation) == {"category", "turns"}, conversation
    for conversation in crisis["conversations_risk"] + crisis["conversations_ordinary"]:
        assert 2 <= len(conversation["turns"]) <= 3 and all(isinstance(t, str) for t in conversation["turns"])


def test_crisis_covers_every_dev_category_kind_and_register(crisis, dev):
    assert {i["category"] for i in crisis["risk"]} == {i["category"] for i in dev["risk"]}
    assert {i["category"] for i in crisis["ordinary"]} == {i["category"] for i in dev["ordinary"]}
    assert {i["kind"] for i in crisis["risk"]} == RISK_KINDS
    assert {i["register"] for i in crisis["risk"]} == RISK_REGISTERS
    assert {i["register"] for i in crisis["ordinary"]} <= RISK_REGISTERS - {"clause"}


def test_crisis_kinds_match_their_category_as_in_dev(crisis, dev):
    allowed = {}
    for item in dev["risk"]:
        allowed.setdefault(item["category"], set()).add(item["kind"])
    for kinds in allowed.values():  # as crisis_split does: worry about someone else's safety
        if "self" in kinds:
            kinds.add("other_person")
    for item in crisis["risk"]:
        assert item["kind"] in allowed[item["category"]], item
    for conversation in crisis["conversations_risk"]:
        assert conversation["kind"] in allowed[conversation["category"]], conversation
    ordinary = {i["category"] for i in dev["ordinary"]}
    assert {c["category"] for c in crisis["conversations_ordinary"]} <= ordinary


def test_crisis_texts_repeat_no_other_evaluation_file_or_training_text(crisis):
    # Only the fresh texts are reported: the training file's contents are never shown.
    assert fresh_sets.crisis_overlaps(crisis) == []


def test_real_question_count_and_shape(questions):
    assert len(questions) >= 150
    for question in questions:
        assert set(question) == {"text", "accept", "source"}, question
        assert question["text"].strip() and re.match(r"https?://[^/\s]+", question["source"]), question
        assert question["accept"] and len(set(question["accept"])) == len(question["accept"]), question


def test_real_labels_are_valid_and_cover_every_topic(questions):
    topics = yaml.safe_load((PROJECT_ROOT / "bot" / "content" / "topics.yml").read_text(encoding="utf-8"))
    known = set(topics["topics"]) | EXTRA_LABELS
    used = Counter(label for question in questions for label in question["accept"])
    assert set(used) <= known, sorted(set(used) - known)
    assert set(used) == known, f"labels never used: {sorted(known - set(used))}"


def test_real_questions_are_new(questions):
    assert fresh_sets.real_overlaps(questions) == []


def test_overlap_check_catches_exact_and_near_repeats():
    overlap = fresh_sets.Overlap(["I can't stop thinking about ending it all"])
    assert overlap.matches("i cant stop thinking about ending it all!") == "exact"
    assert overlap.matches("I can't stop thinking about ending it all now") == "near"
    assert overlap.matches("How long is a session?") is None


def test_evaluators_load_the_fresh_parts():
    from evaluation import crisis_eval, faq_eval

    crisis = load_parts(list(crisis_eval.PARTS["test_fresh"]))
    assert set(crisis) == {"risk", "ordinary", "conversations_risk", "conversations_ordinary"}
    assert "test_fresh" in faq_eval.SPLITS
    pairs = faq_eval.load_real("test_fresh")
    assert len(pairs) >= 150 and all(text and accept for text, accept in pairs)
