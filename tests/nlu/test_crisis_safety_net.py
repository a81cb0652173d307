"""The Rasa component: sets `crisis` over any other intent, including a fallback, and a
`risk` record on every message (the interface the dialogue and the console rely on)."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.crisis_lexicon import CrisisDetector
from bot.nlu.crisis_safety_net import CrisisSafetyNet
from bot.nlu.crisis_semantic import KINDS, SemanticCrisisDetector
from bot.nlu.encoder import shared_encoder

DETECTORS = {"lexicon", "semantic", "classifier"}


@pytest.fixture(scope="module")
def safety_net(nlp):
    return CrisisSafetyNet(CrisisDetector(nlp), SemanticCrisisDetector(shared_encoder()))


@pytest.fixture(scope="module")
def rules_only(nlp):
    return CrisisSafetyNet(CrisisDetector(nlp))


def message(text, intent, confidence=0.9, ranking=None):
    msg = Message(data={"text": text})
    msg.set("intent", {"name": intent, "confidence": confidence}, add_to_output=True)
    msg.set("intent_ranking", ranking or [{"name": intent, "confidence": confidence}], add_to_output=True)
    return msg


def assert_risk_record(risk):
    assert set(risk) == {"level", "score", "kinds", "triggered_by"}
    assert risk["level"] in {"none", "check_in", "crisis"}
    assert isinstance(risk["score"], float)
    assert set(risk["kinds"]) <= set(KINDS) and set(risk["triggered_by"]) <= DETECTORS
    assert (risk["level"] == "none") == (risk["kinds"] == []) == (risk["triggered_by"] == [])


def test_risk_language_overrules_an_faq_prediction(safety_net):
    [out] = safety_net.process([message("how much is it, i want to end my life", "faq", 0.97)])
    assert out.get("intent") == {"name": "crisis", "confidence": 1.0}
    record = out.get("crisis_safety_net")
    assert record["triggered_by"] == "rules" and record["overruled_intent"] == "faq"
    assert "suicide" in record["categories"] and record["kinds"][0] == "self"
    risk = out.get("risk")
    assert_risk_record(risk)
    assert risk["level"] == "crisis" and "lexicon" in risk["triggered_by"]


def test_risk_language_overrules_the_fallback(safety_net):
    [out] = safety_net.process([message("no point going on", "nlu_fallback", 0.3)])
    assert out.get("intent")["name"] == "crisis"


def test_the_semantic_detector_alone_raises_a_crisis(safety_net):
    # Words no lexicon rule names, meaning the encoder knows.
    text = "everybody I love would be relieved once I've gone for good"
    assert not safety_net.detector.find(text)
    [out] = safety_net.process([message(text, "faq", 0.8)])
    risk = out.get("risk")
    assert_risk_record(risk)
    assert risk["level"] == "crisis" and risk["triggered_by"] == ["semantic"]
    assert out.get("intent")["name"] == "crisis"
    assert out.get("crisis_safety_net")["triggered_by"] == "semantic"


def test_a_confident_classifier_crisis_hidden_by_the_fallback_is_restored(safety_net):
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.5},
        {"name": "crisis", "confidence": 0.995},
        {"name": "faq", "confidence": 0.005},
    ]
    [out] = safety_net.process([message("zzz qqq", "nlu_fallback", 0.5, ranking)])
    assert out.get("intent") == {"name": "crisis", "confidence": 1.0}
    assert out.get("risk")["triggered_by"] == ["classifier"]


def test_an_unsure_classifier_crisis_is_a_check_in_not_silence(safety_net):
    # Was a crisis before the dev split showed the classifier's false alarms (docs/safety/).
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.4},
        {"name": "crisis", "confidence": 0.35},
        {"name": "faq", "confidence": 0.3},
    ]
    [out] = safety_net.process([message("zzz qqq", "nlu_fallback", 0.4, ranking)])
    assert out.get("risk")["level"] == "check_in" and out.get("risk")["triggered_by"] == ["classifier"]
    assert out.get("intent")["name"] == "nlu_fallback"


def test_ordinary_question_is_left_alone_with_a_none_record(safety_net):
    [out] = safety_net.process([message("does it help with depression?", "faq", 0.99)])
    assert out.get("intent")["name"] == "faq"
    assert out.get("crisis_safety_net") is None
    risk = out.get("risk")
    assert_risk_record(risk)
    assert risk["level"] == "none"


def test_a_check_in_leaves_the_intent_as_the_classifier_said(safety_net):
    [out] = safety_net.process(
        [message("I attempted suicide years ago, will you ask me about it?", "faq", 0.7)]
    )
    risk = out.get("risk")
    assert_risk_record(risk)
    assert risk["level"] == "check_in" and risk["kinds"]
    assert out.get("intent") == {"name": "faq", "confidence": 0.7}
    assert out.get("crisis_safety_net") is None


def test_button_payloads_pass_but_slash_cannot_hide_risk(safety_net):
    [out] = safety_net.process([message("/help", "help", 1.0)])
    assert out.get("intent")["name"] == "help"
    [out] = safety_net.process([message("/i want to die", "nlu_fallback", 0.2)])
    assert out.get("intent")["name"] == "crisis"
    [out] = safety_net.process(
        [message("/my parents would be relieved if I vanished for good", "greet", 1.0)]
    )
    assert out.get("risk")["level"] in {"check_in", "crisis"}


def test_without_the_semantic_detector_the_record_is_still_set(rules_only):
    [out] = rules_only.process([message("he hits me", "faq", 0.9)])
    assert out.get("risk")["level"] == "crisis" and out.get("risk")["kinds"] == ["abuse"]
    assert out.get("risk")["score"] == 0.0


def test_an_empty_message_does_not_fail(safety_net):
    [out] = safety_net.process([Message(data={"text": ""})])
    assert out.get("risk")["level"] == "none"


def test_an_unsure_classifier_crisis_does_not_give_the_crisis_intent_at_check_in(safety_net):
    ranking = [
        {"name": "crisis", "confidence": 0.7},
        {"name": "share_difficulty", "confidence": 0.2},
        {"name": "faq", "confidence": 0.1},
    ]
    [out] = safety_net.process([message("zzz qqq", "crisis", 0.7, ranking)])
    assert out.get("risk")["level"] == "check_in"
    assert out.get("intent") == {"name": "share_difficulty", "confidence": 0.2}


def test_a_confident_classifier_on_a_past_topic_word_is_a_check_in(safety_net):
    risk = safety_net.assess(
        "I had a suicide attempt in my twenties, does that go on my notes?",
        {"name": "crisis", "confidence": 0.995},
    )
    assert risk["level"] == "check_in"
    # ...but not when the writer's own words are current
    risk = safety_net.assess(
        "I keep thinking about suicide, can you help?", {"name": "crisis", "confidence": 0.995}
    )
    assert risk["level"] == "crisis"
