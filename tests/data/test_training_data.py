"""Training data meets the issue's minimums and stays independent of the evaluation files."""

import re

import pytest
import yaml

from tests.support.project import ROOT, contract_topic_ids, heldout_examples, training_examples

OTHER_INTENTS = [
    "greet",
    "goodbye",
    "thank",
    "affirm",
    "deny",
    "bot_challenge",
    "help",
    "request_human",
    "out_of_scope",
    "crisis",
    "share_difficulty",
]


@pytest.mark.parametrize("topic_id", contract_topic_ids())
def test_at_least_40_examples_per_faq_topic(topic_id):
    assert len(set(training_examples()[f"faq/{topic_id}"])) >= 40


def test_other_intents_are_present():
    examples = training_examples()
    for intent in OTHER_INTENTS:
        assert len(examples.get(intent, [])) >= 20, intent
    assert len(examples["out_of_scope"]) >= 100
    assert len(examples["crisis"]) >= 80


def test_no_example_is_under_two_intents():
    seen = {}
    for intent, examples in training_examples().items():
        for example in examples:
            key = example.lower().strip(" ?.!")
            assert seen.setdefault(key, intent) == intent, f"{example!r}: {seen[key]} and {intent}"


def test_evaluation_files_are_never_trained_on():
    trained = {e.lower().strip(" ?.!") for examples in training_examples().values() for e in examples}
    crisis_eval = yaml.safe_load((ROOT / "evaluation" / "crisis_legacy.yml").read_text())
    evaluation = [e for examples in heldout_examples().values() for e in examples]
    evaluation += crisis_eval["risk"] + crisis_eval["ordinary"]
    leaked = [e for e in evaluation if e.lower().strip(" ?.!") in trained]
    assert not leaked


def words(text):
    return frozenset(re.sub(r"[^\w\s]", " ", text.lower().replace("\u2019", "'")).split())


def test_no_example_is_an_evaluation_message_reworded_by_order_or_punctuation():
    # Near copies too: the same words in any order, case and punctuation aside. Only the
    # dev split of the real questions is read here; the frozen test split is checked
    # verbatim by tests/evaluation/test_real_questions.py.
    evaluation = [e for examples in heldout_examples().values() for e in examples]
    dev = yaml.safe_load((ROOT / "evaluation" / "real_questions" / "dev.yml").read_text(encoding="utf-8"))
    evaluation += [row["text"] for row in dev["questions"]]
    evaluated = {words(e): e for e in evaluation}
    near = [
        (example, evaluated[words(example)])
        for examples in training_examples().values()
        for example in examples
        if words(example) in evaluated
    ]
    assert not near


def test_evaluation_files_meet_their_minimums():
    crisis_eval = yaml.safe_load((ROOT / "evaluation" / "crisis_legacy.yml").read_text())
    assert len(crisis_eval["risk"]) >= 60 and len(crisis_eval["ordinary"]) >= 60
    heldout = heldout_examples()
    assert all(len(heldout[f"faq/{t}"]) >= 5 for t in contract_topic_ids())
