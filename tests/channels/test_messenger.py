"""Facebook Messenger against the running server: signed page events in, Send API calls out."""

import json

import pytest
import requests

from bot.channels.signatures import facebook_signature
from tests.support.platform_bot import handoff_links, normalise

pytestmark = pytest.mark.model

PAGE = "1122334455"


def page_event(sender, **message_or_postback):
    """A Messenger webhook body with one messaging event, as Meta posts it."""
    event = {
        "sender": {"id": sender},
        "recipient": {"id": PAGE},
        "timestamp": 1700000000000,
        **message_or_postback,
    }
    return {"object": "page", "entry": [{"id": PAGE, "time": 1700000000000, "messaging": [event]}]}


def send(platforms, body, secret=None):
    raw = json.dumps(body).encode()
    signature = facebook_signature(platforms.env["FACEBOOK_SECRET"] if secret is None else secret, raw)
    return platforms.post(
        "facebook", data=raw, headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature}
    )


def sent_to(platforms, psid):
    return [
        c.body for c in platforms.fake.calls("facebook", "me/messages") if c.body["recipient"]["id"] == psid
    ]


def test_the_webhook_check_needs_the_verify_token(platforms):
    url = f"{platforms.bot.rasa_url}/webhooks/facebook/webhook"
    good = {
        "hub.mode": "subscribe",
        "hub.verify_token": platforms.env["FACEBOOK_VERIFY"],
        "hub.challenge": "1158201444",
    }
    assert requests.get(url, params=good, timeout=10).text == "1158201444"
    assert requests.get(url, params={**good, "hub.verify_token": "guess"}, timeout=10).status_code == 403


def test_six_topics_come_as_numbered_text_with_quick_replies_and_a_number_picks_one(platforms):
    psid = "6100000000000101"
    assert send(platforms, page_event(psid, message={"mid": "m_1", "text": "hello"})).text == "EVENT_RECEIVED"
    [greeting] = sent_to(platforms, psid)
    assert greeting["messaging_type"] == "RESPONSE"
    message = greeting["message"]
    assert "attachment" not in message, "more than three options never go in a button template"
    assert "3. Can it help me?" in message["text"]
    assert len(message["quick_replies"]) == 6 and all(len(q["title"]) <= 20 for q in message["quick_replies"])

    send(platforms, page_event(psid, message={"mid": "m_2", "text": "3"}))
    *parts, last = [m["message"] for m in sent_to(platforms, psid)[1:]]
    question = "What problems can psychodynamic therapy help with?"
    on_the_web, web_buttons = platforms.rest_reply("fb-web-1", question)
    # One option (the answer's "Tell me more"): a button template on the last part, text before it plain.
    assert web_buttons == [{"title": "Tell me more", "payload": "/faq_more"}]
    assert all(set(part) == {"text"} for part in parts)
    template = last["attachment"]["payload"]
    assert last["attachment"]["type"] == "template" and template["template_type"] == "button"
    assert template["buttons"] == [
        {"type": "postback", "title": b["title"], "payload": b["payload"]} for b in web_buttons
    ]
    assert all(len(t) <= 2000 for t in [p["text"] for p in parts]) and len(template["text"]) <= 640
    assert normalise(" ".join([*(p["text"] for p in parts), template["text"]])) == on_the_web

    quick = {"mid": "m_3", "text": "6. How do I get…", "quick_reply": {"payload": "How do I get referred?"}}
    send(platforms, page_event(psid, message=quick))
    stored = platforms.user_events(psid)
    assert [e["text"] for e in stored] == ["hello", question, "How do I get referred?"]
    assert {e["input_channel"] for e in stored} == {"facebook"}


def test_echoes_of_our_own_replies_are_not_answered(platforms):
    psid = "6100000000000102"
    send(platforms, page_event(psid, message={"mid": "m_4", "text": "hello", "is_echo": True}))
    assert platforms.event_count(psid) == 0 and sent_to(platforms, psid) == []


def test_unsigned_or_wrongly_signed_events_are_refused_and_nothing_is_stored(platforms):
    psid = "6100000000000199"
    body = page_event(psid, message={"mid": "m_5", "text": "hello"})
    assert send(platforms, body, secret="not-the-app-secret").status_code == 403
    assert platforms.post("facebook", json=body).status_code == 403
    assert platforms.event_count(psid) == 0 and sent_to(platforms, psid) == []


def test_a_long_answer_is_split_within_2000_characters(platforms):
    psid = "6100000000000103"
    send(platforms, page_event(psid, message={"mid": "m_6", "text": "i want to talk to a person"}))
    messages = [m["message"] for m in sent_to(platforms, psid)]
    # The last part carries the callback option as a button (CALLBACK_KEY is set here).
    parts = [m.get("text") or m["attachment"]["payload"]["text"] for m in messages]
    assert len(parts) > 1 and all(len(p) <= 2000 for p in parts)
    assert [b["title"] for b in messages[-1]["attachment"]["payload"]["buttons"]] == ["Request a callback"]
    on_the_web = platforms.rest_answer("fb-web-2", "i want to talk to a person")
    assert normalise(" ".join(parts)) == f"{on_the_web} {handoff_links()}"
