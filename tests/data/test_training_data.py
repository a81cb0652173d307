"""Training data meets the issue's minimums and stays independent of the evaluation files."""

import pytest
import yaml

from tests.support.project import ROOT, contract_topic_ids, heldout_examples, training_examples

OTHER_INTENTS = ["greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "help",
                 "request_human", "out_of_scope", "crisis", "share_difficulty"]


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


def test_evaluation_files_meet_their_minimums():
    crisis_eval = yaml.safe_load((ROOT / "evaluation" / "crisis_legacy.yml").read_text())
    assert len(crisis_eval["risk"]) >= 60 and len(crisis_eval["ordinary"]) >= 60
    heldout = heldout_examples()
    assert all(len(heldout[f"faq/{t}"]) >= 5 for t in contract_topic_ids())
