"""action_tell_more: the second part of the last answer, or an honest "no more" with the line."""

import asyncio

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.tell_more import ActionTellMore
from bot.settings import PROJECT_ROOT
from tests.actions.test_answer_followup import COST, TEENS, faq_parse, user

RESPONSES = yaml.safe_load((PROJECT_ROOT / "data" / "responses" / "faq_more.yml").read_text())["responses"]
DOMAIN = {"responses": RESPONSES}
MORE = {"text": "/faq_more", "intent": {"name": "faq_more"}}


def run(events):
    tracker = Tracker("visitor", {}, events[-1]["parse_data"], events, False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ActionTellMore().run(dispatcher, tracker, DOMAIN))
    return [m["response"] for m in dispatcher.messages], result


def test_the_second_part_of_the_last_answer():
    evidence = faq_parse("does it work", ("faq/evidence", 0.9), ("faq/benefits", 0.05))
    assert run([user(evidence), user(MORE)]) == (["utter_more_evidence"], [])


def test_pressing_twice_still_refers_to_the_answer():
    evidence = faq_parse("does it work", ("faq/evidence", 0.9), ("faq/benefits", 0.05))
    assert run([user(evidence), user(MORE), user(MORE)])[0] == ["utter_more_evidence"]


def test_a_topic_without_a_second_part_or_no_topic_gets_no_more():
    assert run([user(COST), user(MORE)])[0] == ["utter_no_more"]
    assert run([user(MORE)])[0] == ["utter_no_more"]


def test_after_a_follow_up_it_extends_the_follow_ups_answer():
    assert run([user(COST), user(TEENS), user(MORE)])[0] == ["utter_no_more"]  # children has no second part
