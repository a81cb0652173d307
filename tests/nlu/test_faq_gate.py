"""The topic gate: an unsure topic becomes `nlu_fallback`, a follow-up `faq_followup`; crisis is never touched."""

from rasa.shared.nlu.training_data.message import Message

from bot.nlu.faq_gate import FaqConfidenceGate, is_sure, topic_ranking

GATE = FaqConfidenceGate({**FaqConfidenceGate.get_default_config(), "threshold": 0.5, "margin": 0.1})


def message(text, intent="faq", ranking=((("faq/cost", 0.9)), ("faq/referral", 0.05)), first=None):
    first = first or intent
    data = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.97},
        "intent_ranking": [{"name": first, "confidence": 0.97}, {"name": "out_of_scope", "confidence": 0.02}],
        "response_selector": {
            "faq": {"ranking": [{"intent_response_key": key, "confidence": conf} for key, conf in ranking]}
        },
    }
    if intent == "nlu_fallback":
        data["intent_ranking"].insert(0, {"name": "nlu_fallback", "confidence": 0.5})
    return Message(data=data)


def gated(msg):
    return GATE.process([msg])[0]


def test_a_sure_topic_is_answered():
    result = gated(message("how much does it cost"))
    assert result.get("intent")["name"] == "faq"
    assert result.get("faq_gate") is None


def test_a_low_confidence_topic_abstains_and_keeps_the_ranking_for_suggestions():
    result = gated(message("hmm money?", ranking=[("faq/cost", 0.45), ("faq/referral", 0.2)]))
    assert result.get("intent")["name"] == "nlu_fallback"
    assert result.get("intent_ranking")[0]["name"] == "nlu_fallback"
    assert result.get("intent_ranking")[1]["name"] == "faq"
    assert [key for key, _ in topic_ranking(result.data)] == ["faq/cost", "faq/referral"]
    assert result.get("faq_gate") == "unsure_topic"


def test_a_small_margin_over_the_second_topic_abstains():
    result = gated(message("cost or referral", ranking=[("faq/cost", 0.52), ("faq/referral", 0.46)]))
    assert result.get("intent")["name"] == "nlu_fallback"


def test_a_short_follow_up_is_marked_for_the_follow_up_action():
    result = gated(message("what about online?", ranking=[("faq/format", 0.9), ("faq/cost", 0.05)]))
    assert result.get("intent")["name"] == "faq_followup"
    # the intent ranking is left alone, so the crisis net still sees the classifier's choice
    assert result.get("intent_ranking")[0]["name"] == "faq"


def test_a_follow_up_the_fallback_classifier_was_unsure_of_still_gets_context():
    result = gated(
        message(
            "and for couples?",
            intent="nlu_fallback",
            first="faq",
            ranking=[("faq/related_therapies", 0.4), ("faq/cost", 0.3)],
        )
    )
    assert result.get("intent")["name"] == "faq_followup"


def test_crisis_and_other_intents_are_never_gated():
    for intent in ("crisis", "greet", "share_difficulty"):
        result = gated(
            message("what about it?", intent=intent, ranking=[("faq/cost", 0.2), ("faq/past", 0.19)])
        )
        assert result.get("intent")["name"] == intent


def test_a_fallback_whose_first_choice_was_crisis_is_left_for_the_safety_net():
    result = gated(
        message(
            "what about ending it",
            intent="nlu_fallback",
            first="crisis",
            ranking=[("faq/attendance", 0.9), ("faq/cost", 0.01)],
        )
    )
    assert result.get("intent")["name"] == "nlu_fallback"
    assert result.get("faq_gate") is None


def test_is_sure_needs_both_confidence_and_margin():
    assert is_sure([("a", 0.6), ("b", 0.3)], 0.5, 0.1)
    assert not is_sure([("a", 0.45), ("b", 0.1)], 0.5, 0.1)
    assert not is_sure([("a", 0.55), ("b", 0.5)], 0.5, 0.1)
    assert is_sure([("a", 0.55)], 0.5, 0.1)
    assert not is_sure([], 0.0, 0.0)


def test_a_follow_up_that_looks_off_topic_on_its_own_still_gets_context():
    result = gated(
        message(
            "and how long does that take?",
            intent="out_of_scope",
            ranking=[("faq/duration", 0.9), ("faq/referral", 0.05)],
        )
    )
    assert result.get("intent")["name"] == "faq_followup"


def test_an_off_topic_question_that_is_no_follow_up_stays_off_topic():
    result = gated(
        message(
            "what time does the pharmacy close",
            intent="out_of_scope",
            ranking=[("faq/duration", 0.9), ("faq/referral", 0.05)],
        )
    )
    assert result.get("intent")["name"] == "out_of_scope"
