"""The Rasa component: sets `crisis` over any other intent, including a fallback."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.crisis_lexicon import CrisisDetector
from bot.nlu.crisis_safety_net import CrisisSafetyNet


@pytest.fixture(scope="module")
def safety_net(nlp):
    return CrisisSafetyNet(CrisisDetector(nlp))


def message(text, intent, confidence=0.9, ranking=None):
    msg = Message(data={"text": text})
    msg.set("intent", {"name": intent, "confidence": confidence}, add_to_output=True)
    msg.set("intent_ranking", ranking or [{"name": intent, "confidence": confidence}], add_to_output=True)
    return msg


def test_risk_language_overrules_an_faq_prediction(safety_net):
    [out] = safety_net.process([message("how much is it, i want to end my life", "faq", 0.97)])
    assert out.get("intent") == {"name": "crisis", "confidence": 1.0}
    record = out.get("crisis_safety_net")
    assert record["triggered_by"] == "rules" and record["overruled_intent"] == "faq"
    assert "suicide" in record["categories"]


def test_risk_language_overrules_the_fallback(safety_net):
    [out] = safety_net.process([message("no point going on", "nlu_fallback", 0.3)])
    assert out.get("intent")["name"] == "crisis"


def test_classifier_crisis_hidden_by_the_fallback_is_restored(safety_net):
    ranking = [{"name": "nlu_fallback", "confidence": 0.4}, {"name": "crisis", "confidence": 0.35},
               {"name": "faq", "confidence": 0.3}]
    [out] = safety_net.process([message("everything feels so dark", "nlu_fallback", 0.4, ranking)])
    assert out.get("intent")["name"] == "crisis"
    assert out.get("crisis_safety_net")["triggered_by"] == "classifier"


def test_ordinary_question_is_left_alone(safety_net):
    [out] = safety_net.process([message("does it help with depression?", "faq", 0.99)])
    assert out.get("intent")["name"] == "faq"
    assert out.get("crisis_safety_net") is None


def test_button_payloads_pass_but_slash_cannot_hide_risk(safety_net):
    [out] = safety_net.process([message("/help", "help", 1.0)])
    assert out.get("intent")["name"] == "help"
    [out] = safety_net.process([message("/i want to die", "nlu_fallback", 0.2)])
    assert out.get("intent")["name"] == "crisis"
