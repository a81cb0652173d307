"""Telegram against the running server: real Update payloads in, Bot API calls out to a fake."""

import pytest
import requests

from tests.support.platform_bot import PUBLIC_URL, handoff_links, normalise

pytestmark = pytest.mark.model

CHAT = 700100


def update(chat_id, text=None, update_id=1, chat_type="private", callback=None):
    chat = {"id": chat_id, "first_name": "Sam", "type": chat_type}
    message = {
        "message_id": update_id,
        "from": {"id": chat_id, "is_bot": False, "first_name": "Sam"},
        "chat": chat,
        "date": 1700000000,
    }
    if callback is not None:
        return {
            "update_id": update_id,
            "callback_query": {
                "id": f"cb{update_id}",
                "from": message["from"],
                "message": {**message, "text": "(bot message)"},
                "chat_instance": "42",
                "data": callback,
            },
        }
    return {"update_id": update_id, "message": {**message, "text": text}}


def send(platforms, payload, secret=None):
    secret = platforms.env["TELEGRAM_SECRET_TOKEN"] if secret is None else secret
    return platforms.post("telegram", json=payload, headers={"X-Telegram-Bot-Api-Secret-Token": secret})


def sent_to(platforms, chat_id):
    return [
        c.body
        for c in platforms.fake.calls("telegram", "sendMessage")
        if str(c.body["chat_id"]) == str(chat_id)
    ]


def test_webhook_is_registered_with_the_secret_at_start(platforms):
    registered = platforms.fake.wait_for("telegram", "setWebhook")
    assert registered[0].body["url"] == f"{PUBLIC_URL}/webhooks/telegram/webhook"
    assert registered[0].body["secret_token"] == platforms.env["TELEGRAM_SECRET_TOKEN"]


def test_start_greets_with_topic_buttons_and_a_tap_answers_like_the_web(platforms):
    assert send(platforms, update(CHAT, "/start")).status_code == 200
    [greeting] = sent_to(platforms, CHAT)
    assert "automated assistant" in greeting["text"]
    keyboard = greeting["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in keyboard][0] == "What is psychodynamic therapy?" and len(keyboard) == 6

    first = keyboard[0][0]["callback_data"]
    assert send(platforms, update(CHAT, update_id=2, callback=first)).status_code == 200
    assert [c.body for c in platforms.fake.calls("telegram", "answerCallbackQuery")][-1] == {
        "callback_query_id": "cb2"
    }
    *parts, last = sent_to(platforms, CHAT)[1:]
    on_the_web, web_buttons = platforms.rest_reply("tg-web-1", first)
    assert normalise(" ".join(m["text"] for m in [*parts, last])) == on_the_web
    # The web's only button ("Tell me more") is the only key, under the answer's last part.
    assert web_buttons == [{"title": "Tell me more", "payload": "/faq_more"}]
    assert all("reply_markup" not in m for m in parts)
    assert last["reply_markup"] == {
        "inline_keyboard": [[{"text": b["title"], "callback_data": b["payload"]}] for b in web_buttons]
    }

    stored = platforms.user_events(str(CHAT))
    assert [e["input_channel"] for e in stored] == ["telegram", "telegram"]
    assert stored[1]["text"] == first


def test_a_forged_update_is_refused_and_nothing_is_stored(platforms):
    for secret in ("wrong", ""):
        assert send(platforms, update(700199, "hello"), secret=secret).status_code == 403
    assert platforms.event_count("700199") == 0 and sent_to(platforms, 700199) == []


def test_group_chats_are_not_answered(platforms):
    assert send(platforms, update(-700300, "hello", chat_type="group")).status_code == 200
    assert platforms.event_count("-700300") == 0 and sent_to(platforms, -700300) == []


def test_a_long_answer_is_split_within_4096_characters_and_the_number_is_plain_text(platforms):
    send(platforms, update(700400, "i want to talk to a person"))
    parts = [m["text"] for m in sent_to(platforms, 700400)]
    assert len(parts) > 1 and all(len(p) <= 4096 for p in parts)
    on_the_web = platforms.rest_answer("tg-web-2", "i want to talk to a person")
    assert normalise(" ".join(parts)) == f"{on_the_web} {handoff_links()}"


def test_every_channel_answers_a_health_check(platforms):
    for channel in ("telegram", "sms", "whatsapp", "facebook", "slack"):
        assert requests.get(f"{platforms.bot.rasa_url}/webhooks/{channel}/", timeout=10).json() == {
            "status": "ok"
        }
