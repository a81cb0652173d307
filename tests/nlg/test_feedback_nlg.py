"""The feedback block on FAQ answers, the question once on text channels, the callback option."""

import asyncio

import pytest
import yaml
from cryptography.fernet import Fernet
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels import callback_flow
from bot.channels.feedback import PAYLOAD, payload
from bot.nlg.feedback import FeedbackResponseGenerator, answered_topic
from bot.settings import PROJECT_ROOT
from bot.storage import callbacks

FAQ = yaml.safe_load((PROJECT_ROOT / "data" / "responses" / "faq.yml").read_text())["responses"]
MORE = yaml.safe_load((PROJECT_ROOT / "data" / "responses" / "faq_more.yml").read_text())["responses"]
DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())


@pytest.fixture(autouse=True)
def no_callbacks(monkeypatch):
    monkeypatch.delenv("CALLBACK_KEY", raising=False)
    callbacks.shared_store.cache_clear(), callback_flow.shared_flow.cache_clear()
    yield
    callbacks.shared_store.cache_clear(), callback_flow.shared_flow.cache_clear()


def generate(name, channel="socketio", events=()):
    domain = Domain.from_dict(
        {
            "responses": {**DOMAIN["responses"], **FAQ, **MORE},
            "slots": {"crisis_flagged": {"type": "bool", "mappings": [{"type": "custom"}]}},
        }
    )
    tracker = DialogueStateTracker.from_events("visitor", list(events), slots=domain.slots)
    return asyncio.run(FeedbackResponseGenerator(domain=domain).generate(name, tracker, channel))


def test_every_faq_answer_carries_its_topic_and_both_votes():
    feedback = generate("utter_faq/cost")["metadata"]["feedback"]
    assert feedback == {"topic": "cost", "yes": payload("cost", True), "no": payload("cost", False)}
    assert PAYLOAD.fullmatch(feedback["yes"]) and PAYLOAD.fullmatch(feedback["no"])
    assert "ask" not in feedback, "the widget has thumbs; it never asks in words"


def test_other_replies_get_no_votes():
    for name in ("utter_greet", "utter_handoff", "utter_crisis", "utter_not_sure"):
        assert "feedback" not in (generate(name).get("metadata") or {}), name


def test_a_text_channel_is_asked_once_per_conversation():
    first = generate("utter_faq/cost", "sms")["metadata"]["feedback"]
    assert first["ask"] == "Was this helpful? Reply 1 for yes, 2 for no."
    asked = BotUttered("...", metadata={"utter_action": "utter_faq/cost", "metadata": {"feedback": first}})
    again = generate("utter_faq/referral", "whatsapp", [asked])["metadata"]["feedback"]
    assert "ask" not in again and again["topic"] == "referral"


def test_an_answer_with_tell_me_more_asks_after_its_second_part():
    assert "ask" not in generate("utter_faq/evidence", "telegram")["metadata"]["feedback"]
    assert generate("utter_more_evidence", "telegram")["metadata"]["feedback"]["ask"]


def test_never_after_the_crisis_reply():
    for events in ([ActionExecuted("utter_crisis")], [SlotSet("crisis_flagged", True)]):
        assert "feedback" not in (generate("utter_faq/cost", "sms", events).get("metadata") or {})
        assert "feedback" not in (generate("utter_faq/cost", "socketio", events).get("metadata") or {})


def test_topics_are_read_from_answer_names_only():
    assert answered_topic("utter_faq/what_is") == "what_is" and answered_topic("utter_more_cost") == "cost"
    assert answered_topic("utter_no_more") is None
    assert answered_topic("utter_greet") is None and answered_topic('utter_faq/x"}') is None


def test_the_callback_is_offered_on_text_channels_hand_off_only_with_a_key(monkeypatch, tmp_path):
    assert callback_flow.START_PAYLOAD not in str(generate("utter_handoff", "sms"))
    monkeypatch.setenv("CALLBACK_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("TRACKER_DB_URL", f"sqlite:///{tmp_path / 'c.db'}")
    callbacks.shared_store.cache_clear(), callback_flow.shared_flow.cache_clear()
    payloads = [b["payload"] for b in generate("utter_handoff", "sms")["buttons"]]
    assert payloads[-1] == callback_flow.START_PAYLOAD
    assert callback_flow.START_PAYLOAD not in str(generate("utter_handoff", "socketio")), (
        "the widget has its menu"
    )
    assert callback_flow.START_PAYLOAD not in str(generate("utter_crisis", "sms"))
