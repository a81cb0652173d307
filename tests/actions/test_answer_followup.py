"""action_answer_followup: answers a follow-up in the context of the previous topic, or suggests topics."""

import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answer_followup import ActionAnswerFollowup, answered_topic, user_parses


def faq_parse(text, *ranking, intent="faq", context=None):
    parse = {
        "text": text,
        "intent": {"name": intent},
        "response_selector": {
            "faq": {"ranking": [{"intent_response_key": key, "confidence": conf} for key, conf in ranking]}
        },
    }
    if context is not None:
        parse["faq_context"] = context
    return parse


def user(parse):
    return {"event": "user", "text": parse["text"], "parse_data": parse}


def run(events):
    latest = [e for e in events if e["event"] == "user"][-1]["parse_data"]
    tracker = Tracker("visitor", {}, latest, events, False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ActionAnswerFollowup().run(dispatcher, tracker, {}))
    return dispatcher.messages, result


COST = faq_parse("how much does it cost", ("faq/cost", 0.9), ("faq/referral", 0.05))
TEENS = faq_parse(
    "what about for teenagers?",
    ("faq/children", 0.4),
    ("faq/cost", 0.3),
    intent="faq_followup",
    context={
        "faq/cost": [["faq/children", 0.85], ["faq/cost", 0.1], ["faq/past", 0.05]],
        "faq/format": [["faq/format", 0.85], ["faq/children", 0.1], ["faq/cost", 0.05]],
    },
)


def test_answers_with_the_ranking_made_in_the_previous_topics_context():
    messages, events = run([user(COST), {"event": "bot", "text": "..."}, user(TEENS)])
    assert events == []
    assert [m["response"] for m in messages] == ["utter_faq/children"]


def test_context_changes_the_answer():
    online = faq_parse("can i do it online", ("faq/format", 0.95), ("faq/cost", 0.01))
    messages, _ = run([user(online), user(TEENS)])
    assert [m["response"] for m in messages] == ["utter_faq/format"]


def test_without_an_earlier_topic_its_own_unsure_ranking_means_suggestions():
    messages, _ = run([user({"text": "hi", "intent": {"name": "greet"}}), user(TEENS)])
    assert messages[0]["response"] == "utter_not_sure"
    payloads = [b["payload"] for b in messages[1]["buttons"]]
    assert payloads[-1] == "/help"
    assert len(payloads) == 3  # children, cost, something else


def test_the_topic_a_follow_up_was_answered_with_is_the_context_for_the_next():
    again = faq_parse(
        "and is that the same?",
        ("faq/past", 0.3),
        ("faq/cost", 0.3),
        intent="faq_followup",
        context={"faq/children": [["faq/children", 0.8], ["faq/cost", 0.1], ["faq/past", 0.05]]},
    )
    assert answered_topic([COST, TEENS]) == "faq/children"
    messages, _ = run([user(COST), user(TEENS), user(again)])
    assert [m["response"] for m in messages] == ["utter_faq/children"]


def test_a_new_session_forgets_earlier_topics():
    events = [user(COST), {"event": "session_started"}, user(TEENS)]
    assert user_parses(events) == [TEENS]
    assert answered_topic(user_parses(events)[:-1]) is None


def test_a_follow_up_that_names_a_new_topic_is_answered_on_it():
    online = faq_parse(
        "what about online?",
        ("faq/format", 0.95),
        ("faq/cost", 0.01),
        intent="faq_followup",
        context={"faq/duration": [["faq/duration", 0.8], ["faq/format", 0.1], ["faq/cost", 0.05]]},
    )
    duration = faq_parse("how long does it take", ("faq/duration", 0.9), ("faq/cost", 0.05))
    messages, _ = run([user(duration), user(online)])
    assert [m["response"] for m in messages] == ["utter_faq/format"]
