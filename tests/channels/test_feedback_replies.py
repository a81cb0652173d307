"""Votes on text channels: the question after the answer, "1"/"2" only right after it, payload checks."""

import asyncio
from types import SimpleNamespace

from rasa.shared.core.events import BotUttered, UserUttered

from bot.channels.base import MessagingInput, MessagingOutput
from bot.channels.feedback import feedback_buttons, feedback_reply, payload
from bot.channels.input_rules import as_typed_or_offered, clean_text

QUESTION = "Was this helpful? Reply 1 for yes, 2 for no."
ASKED = {"topic": "cost", "yes": payload("cost", True), "no": payload("cost", False), "ask": QUESTION}


def answer(feedback=ASKED):
    return BotUttered(
        "Our fees...", metadata={"utter_action": "utter_faq/cost", "metadata": {"feedback": feedback}}
    )


def test_one_and_two_right_after_the_question_are_votes():
    events = [UserUttered("how much"), answer()]
    assert feedback_reply("1", events) == payload("cost", True)
    assert feedback_reply(" 2 ", events) == payload("cost", False)


def test_anything_else_or_later_is_ordinary_text():
    events = [UserUttered("how much"), answer()]
    assert feedback_reply("3", events) is None and feedback_reply("yes it did", events) is None
    assert feedback_reply("1", events + [UserUttered("thanks"), BotUttered("You're welcome")]) is None
    no_question = {k: v for k, v in ASKED.items() if k != "ask"}
    assert feedback_reply("1", [UserUttered("how much"), answer(no_question)]) is None


def test_a_vote_payload_survives_cleaning_but_counts_only_if_offered():
    vote = payload("cost", False)
    assert clean_text(vote) == vote
    assert as_typed_or_offered(vote, [UserUttered("how much"), answer()]) == vote
    assert as_typed_or_offered(vote, [UserUttered("how much"), BotUttered("hi")]).startswith("feedback{")
    # other payloads with values are still plain text
    assert clean_text('/feedback{"rated_topic":"cost","helpful":"maybe"}').startswith("feedback")
    assert [b["title"] for b in feedback_buttons(answer())] == ["Yes", "No"]


class RecordingOutput(MessagingOutput):
    channel_name, id_namespace = "sms", "twilio"

    def __init__(self):
        self.sent = []

    async def send_shaped(self, recipient_id, shaped):
        self.sent.append(shaped.texts)


def test_the_connector_sends_the_question_after_the_answer():
    output = RecordingOutput()
    asyncio.run(output.send_text_message("twilio:+447700900555", "Our fees...", metadata={"feedback": ASKED}))
    asyncio.run(
        output.send_text_message("twilio:+447700900555", "Next answer", metadata={"feedback": {"topic": "x"}})
    )
    assert output.sent == [("Our fees...",), (QUESTION,), ("Next answer",)]


class Sms(MessagingInput):
    channel_name, id_namespace = "sms", "twilio"


def test_hand_over_turns_a_typed_one_into_the_vote_and_keeps_what_was_typed():
    handed = []
    store = SimpleNamespace(retrieve=None)

    async def retrieve(_):
        return SimpleNamespace(events=[UserUttered("how much"), answer()])

    store.retrieve = retrieve
    request = SimpleNamespace(
        app=SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(tracker_store=store)))
    )

    async def on_new_message(message):
        handed.append((message.text, message.metadata))

    for text in ("1", "I feel awful"):
        asyncio.run(Sms().hand_over(request, on_new_message, "+447700900555", text, RecordingOutput()))
    assert handed[0] == (payload("cost", True), {"typed": "1"})
    assert handed[1][0] == "I feel awful", "not a vote: the NLU and the crisis net read it"


def test_rasas_whole_message_as_keywords_is_accepted():
    # Rasa's send_response passes the message's remaining keys, "buttons" included.
    output = RecordingOutput()
    asyncio.run(
        output.send_response(
            "twilio:+447700900555",
            {
                "text": "Our fees...",
                "buttons": None,
                "quick_replies": None,
                "utter_action": "utter_faq/cost",
                "metadata": {"feedback": ASKED},
            },
        )
    )
    assert output.sent == [("Our fees...",), (QUESTION,)]
