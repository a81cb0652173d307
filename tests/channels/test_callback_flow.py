"""The callback request asked as questions on text channels, through a connector's hand_over.

A recording output stands in for the platform; the store is the real encrypted one on SQLite;
the "assistant" is a fake agent whose NLU marks one phrase as risky, so the test can show that
a risky answer at any step leaves the flow and reaches the assistant.
"""

import asyncio
from types import SimpleNamespace
from unittest import mock

import pytest
from cryptography.fernet import Fernet

from bot.channels import callback_flow
from bot.channels.base import MessagingInput, MessagingOutput
from bot.storage import callbacks

RISKY = "i want to end my life"


class RecordingOutput(MessagingOutput):
    channel_name, id_namespace = "sms", "twilio"

    def __init__(self):
        self.sent = []

    async def send_shaped(self, recipient_id, shaped):
        self.sent.append((recipient_id, "\n\n".join(shaped.texts)))


class Sms(MessagingInput):
    channel_name, id_namespace = "sms", "twilio"


class Agent:
    tracker_store = None

    def is_ready(self):
        return True

    async def parse_message(self, text):
        risky = RISKY in text.lower()
        return {
            "intent": {"name": "crisis" if risky else "faq"},
            "risk": {"level": "crisis" if risky else "none"},
        }


@pytest.fixture
def flow(monkeypatch, tmp_path):
    monkeypatch.setenv("CALLBACK_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("TRACKER_DB_URL", f"sqlite:///{tmp_path / 'conversations.db'}")
    monkeypatch.setenv("CONVERSATION_ID_KEY", "k" * 40)
    callbacks.shared_store.cache_clear(), callback_flow.shared_flow.cache_clear()
    yield callback_flow.shared_flow()
    callbacks.shared_store().dispose()
    callbacks.shared_store.cache_clear(), callback_flow.shared_flow.cache_clear()


def chat(*texts, sender="+447700900555"):
    """Sends each text through hand_over; returns (replies per text, messages handed to Rasa)."""
    channel, output, to_rasa = Sms(), RecordingOutput(), []
    request = SimpleNamespace(app=SimpleNamespace(ctx=SimpleNamespace(agent=Agent())))

    async def on_new_message(message):
        to_rasa.append(message.text)

    async def run():
        replies = []
        for text in texts:
            before = len(output.sent)
            await channel.hand_over(request, on_new_message, sender, text, output)
            replies.append([body for _, body in output.sent[before:]])
        return replies

    with (
        mock.patch("bot.channels.base.last_offered_in", return_value={}),
        mock.patch("bot.channels.base.as_typed_or_offered", side_effect=lambda text, events: text),
    ):
        return asyncio.run(run()), to_rasa


def test_the_whole_request_as_questions_is_stored_encrypted_and_kept_out_of_the_assistant(flow):
    replies, to_rasa = chat(callback_flow.START_PAYLOAD, "Sam", "07700 900123", "2", "yes")
    assert "first name" in replies[0][0] and "not for emergencies" in replies[0][0]
    assert "phone number" in replies[1][0]
    assert "1. Morning (9am to 12pm)" in replies[2][0] and "Reply with the number" in replies[2][0]
    assert "Privacy notice: http" in replies[3][0] and "Reply 1 for yes, 2 for no" in replies[3][0]
    assert "call you on 07700 900123, afternoon (12pm to 5pm)" in replies[4][0]
    assert to_rasa == [], "no answer reaches the tracker"
    (stored,) = flow.store.pending()
    assert stored.callback == callbacks.Callback("Sam", "07700900123", "afternoon")
    assert stored.conversation_id.startswith("twilio:~"), "stored under the id the console shows"


def test_skip_a_name_and_fix_a_number(flow):
    replies, _ = chat(callback_flow.START_PAYLOAD, "skip", "123", "+44 7700 900123", "4", "1")
    assert replies[2] == ["Enter a UK phone number, like 07700 900123."]
    assert "1. Morning" in replies[3][0]
    (stored,) = flow.store.pending()
    assert stored.callback == callbacks.Callback("", "07700900123", "any")


def test_a_wrong_choice_is_asked_again_and_no_consent_keeps_nothing(flow):
    replies, _ = chat(callback_flow.START_PAYLOAD, "Sam", "07700900123", "7", "1", "2")
    assert replies[3][0].startswith("Please reply with one of the numbers")
    assert "nothing has been kept" in replies[5][0]
    assert flow.store.pending() == []


def test_cancel_at_any_step_and_the_next_message_is_ordinary(flow):
    replies, to_rasa = chat(callback_flow.START_PAYLOAD, "Sam", "cancel", "how much does it cost")
    assert "nothing has been kept" in replies[2][0]
    assert to_rasa == ["how much does it cost"] and flow.store.pending() == []


@pytest.mark.parametrize("step", range(4))
def test_a_risky_answer_at_any_step_goes_to_the_assistant_and_ends_the_flow(flow, step):
    answers = ["Sam", "07700900123", "1", "yes"][:step]
    replies, to_rasa = chat(callback_flow.START_PAYLOAD, *answers, f"honestly {RISKY}", "07700900123")
    assert to_rasa == [f"honestly {RISKY}", "07700900123"], "the crisis reply comes from the assistant"
    assert replies[step + 1] == [] and flow.store.pending() == []


def test_at_most_three_requests_per_conversation(flow):
    for _ in range(3):
        chat(callback_flow.START_PAYLOAD, "Sam", "07700900123", "1", "yes")
    replies, _ = chat(callback_flow.START_PAYLOAD)
    assert replies[0][0].startswith("We already have your request")
    assert len(flow.store.pending()) == 3


def test_without_a_key_there_is_no_flow(monkeypatch):
    monkeypatch.delenv("CALLBACK_KEY", raising=False)
    callbacks.shared_store.cache_clear(), callback_flow.shared_flow.cache_clear()
    _, to_rasa = chat("hello")
    assert callback_flow.shared_flow() is None and to_rasa == ["hello"]


def test_an_answer_after_the_request_ended_is_no_answer(flow):
    assert asyncio.run(flow.answer("twilio:+447700900556", "Sam")) is None
