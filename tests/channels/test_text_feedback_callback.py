"""Over SMS (Twilio, faked) against the running server: "Was this helpful?" and the callback questions."""

import pytest
from test_twilio import bodies_to, form, send

from bot.channels.feedback import payload
from bot.storage.callbacks import Callback, CallbackStore
from tests.support.platform_bot import CALLBACK_KEY

pytestmark = pytest.mark.model

QUESTION = "Was this helpful? Reply 1 for yes, 2 for no."


def bodies(platforms, sender):
    return [b["Body"] for b in bodies_to(platforms, sender)]


def test_asked_once_after_an_answer_and_a_one_or_two_right_after_is_the_vote(platforms):
    sender = "+447700900201"
    send(platforms, "sms", form(sender, "What happens in a session?"))
    answer, question = bodies(platforms, sender)
    assert "session" in answer.lower() and question == QUESTION
    send(platforms, "sms", form(sender, "2"))
    assert bodies(platforms, sender)[2] == "Thank you for your feedback."
    vote = platforms.user_events(sender)[-1]
    assert vote["text"] == payload("session", False) and vote["metadata"]["typed"] == "2"
    assert vote["parse_data"]["intent"]["name"] == "feedback"
    send(platforms, "sms", form(sender, "Are there any side effects?"))
    assert QUESTION not in bodies(platforms, sender)[3:], "once per conversation"
    send(platforms, "sms", form(sender, "1"))
    assert platforms.user_events(sender)[-1]["text"] == "1", "no question just asked: ordinary text"


def test_a_risky_message_after_the_question_gets_the_crisis_reply(platforms):
    sender = "+447700900202"
    send(platforms, "sms", form(sender, "What happens in a session?"))
    assert bodies(platforms, sender)[-1] == QUESTION
    send(platforms, "sms", form(sender, "i want to kill myself"))
    reply = bodies(platforms, sender)[-1]
    assert "Samaritans" in reply and "Thank you for your feedback" not in reply
    send(platforms, "sms", form(sender, "What happens in a session?"))
    assert QUESTION not in bodies(platforms, sender)[3:], "never after the crisis reply"


def reply_to(platforms, sender, text):
    """Everything the bot sent back to one message, joined (a long reply is split into several SMS)."""
    before = len(bodies(platforms, sender))
    send(platforms, "sms", form(sender, text))
    return "\n".join(bodies(platforms, sender)[before:])


def store(platforms):
    return CallbackStore(platforms.bot.db_url, CALLBACK_KEY.encode(), retention_days=30)


def test_the_callback_questions_from_the_hand_off_to_the_console_queue(platforms):
    sender = "+447700900203"
    assert "1. Request a callback" in reply_to(platforms, sender, "can I talk to a person")
    replies = [
        reply_to(platforms, sender, text) for text in ("1", "Sam", "0770 090", "07700 900456", "3", "1")
    ]
    assert "first name" in replies[0] and "not for emergencies" in replies[0]
    assert "UK phone number" in replies[1] and replies[2].startswith("Enter a UK phone number")
    assert "3. Early evening" in replies[3] and "Privacy notice" in replies[4]
    assert "call you on 07700 900456, early evening" in replies[5]
    assert [e["text"] for e in platforms.user_events(sender)] == ["can I talk to a person"], (
        "the name and number never reach the tracker"
    )
    callbacks = store(platforms)
    try:
        mine = [
            p
            for p in callbacks.pending()
            if p.conversation_id == platforms.bot.storage_id(f"twilio:{sender}")
        ]
    finally:
        callbacks.dispose()
    assert [p.callback for p in mine] == [Callback("Sam", "07700900456", "evening")]


def test_a_risky_answer_during_the_callback_questions_gets_the_crisis_reply(platforms):
    sender = "+447700900204"
    send(platforms, "sms", form(sender, "can I talk to a person"))
    send(platforms, "sms", form(sender, "1"))
    send(platforms, "sms", form(sender, "Sam"))
    send(platforms, "sms", form(sender, "actually i want to end my life"))
    reply = bodies(platforms, sender)[-1]
    assert "Samaritans" in reply and "999" in reply
    send(platforms, "sms", form(sender, "07700 900789"))  # the flow ended: ordinary text now
    assert platforms.user_events(sender)[-1]["text"] == "[phone]", (
        "stored as text (redacted), not as an answer"
    )


def test_on_telegram_the_question_is_words_and_the_callback_option_a_button(platforms):
    from test_telegram import send as tg_send
    from test_telegram import sent_to, update

    chat = 700201
    tg_send(platforms, update(chat, "What happens in a session?", update_id=1))
    assert sent_to(platforms, chat)[-1]["text"] == QUESTION
    tg_send(platforms, update(chat, "1", update_id=2))
    assert sent_to(platforms, chat)[-1]["text"] == "Thank you for your feedback."
    assert platforms.user_events(str(chat))[-1]["text"] == payload("session", True)

    tg_send(platforms, update(chat, "can I talk to a person", update_id=3))
    keys = [row[0] for row in sent_to(platforms, chat)[-1]["reply_markup"]["inline_keyboard"]]
    assert [k["text"] for k in keys] == ["Request a callback"]
    tg_send(platforms, update(chat, update_id=4, callback=keys[0]["callback_data"]))  # a tap on the button
    assert "first name" in sent_to(platforms, chat)[-1]["text"]
    tg_send(platforms, update(chat, "cancel", update_id=5))
    assert "nothing has been kept" in sent_to(platforms, chat)[-1]["text"]
