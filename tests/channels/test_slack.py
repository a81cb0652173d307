"""Slack against the running server: signed Events API and interactivity posts in, chat.postMessage out."""

import json
import time
import uuid
from urllib.parse import urlencode

import pytest

from bot.channels.signatures import slack_signature
from tests.support.platform_bot import handoff_links, normalise

pytestmark = pytest.mark.model


def event_body(event, event_id=None):
    event_id = event_id or f"Ev{uuid.uuid4().hex[:10].upper()}"  # Slack's ids are unique per event
    return {
        "token": "legacy-verification-token",
        "team_id": "T01",
        "api_app_id": "A01",
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
    }


def dm(user, text, channel="D0PRACTICE1", ts="1700000000.000100"):
    return {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "channel_type": "im",
        "event_ts": ts,
    }


def send(platforms, raw, content_type="application/json", secret=None, timestamp=None, headers=None):
    timestamp = str(int(time.time())) if timestamp is None else timestamp
    secret = platforms.env["SLACK_SIGNING_SECRET"] if secret is None else secret
    return platforms.post(
        "slack",
        data=raw,
        headers={
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": slack_signature(secret, timestamp, raw),
            **(headers or {}),
        },
    )


def send_event(platforms, body, **kwargs):
    return send(platforms, json.dumps(body).encode(), **kwargs)


def posted_to(platforms, channel):
    return [c.body for c in platforms.fake.calls("slack", "chat.postMessage") if c.body["channel"] == channel]


def test_url_verification_is_answered_only_when_signed(platforms):
    body = {
        "token": "legacy",
        "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
        "type": "url_verification",
    }
    assert send_event(platforms, body).json() == {"challenge": body["challenge"]}
    assert send_event(platforms, body, secret="wrong").status_code == 403


def test_a_direct_message_gets_topic_buttons_and_a_click_gets_that_answer(platforms):
    user, channel = "U0SAM00101", "D0SAM00101"
    assert send_event(platforms, event_body(dm(user, "hello", channel))).status_code == 200
    [greeting] = posted_to(platforms, channel)
    section, actions = greeting["blocks"]
    assert "automated assistant" in section["text"]["text"] and "thread_ts" not in greeting
    buttons = actions["elements"]
    assert [b["text"]["text"] for b in buttons][:2] == [
        "What is psychodynamic therapy?",
        "What happens in a session?",
    ]

    click = {
        "type": "block_actions",
        "user": {"id": user, "username": "sam"},
        "api_app_id": "A01",
        "container": {"type": "message", "message_ts": "1700000000.000200", "channel_id": channel},
        "channel": {"id": channel, "name": "directmessage"},
        "trigger_id": "1.2.3",
        "actions": [{**buttons[1], "block_id": "b1", "action_ts": "1700000001.0"}],
    }
    raw = urlencode({"payload": json.dumps(click)}).encode()
    assert send(platforms, raw, content_type="application/x-www-form-urlencoded").status_code == 200
    answer = posted_to(platforms, channel)[1]
    assert normalise(answer["text"]) == platforms.rest_answer("slack-web-1", "What happens in a session?")

    stored = platforms.user_events(user)
    assert [e["input_channel"] for e in stored] == ["slack", "slack"]
    assert stored[1]["text"] == "What happens in a session?"


def test_a_mention_in_a_channel_is_answered_in_a_thread(platforms):
    mention = {
        "type": "app_mention",
        "channel": "C0GENERAL",
        "user": "U0SAM00102",
        "text": "<@U0PRACTICEBOT> how do i get referred",
        "ts": "1700000000.000300",
    }
    send_event(platforms, event_body(mention, "Ev02"))
    [reply] = posted_to(platforms, "C0GENERAL")
    assert reply["thread_ts"] == "1700000000.000300"
    assert platforms.user_events("U0SAM00102")[0]["text"] == "how do i get referred"


def test_bot_messages_and_slack_retries_are_not_answered(platforms):
    channel = "D0SAM00103"
    send_event(platforms, event_body({**dm("U0SAM00103", "hello", channel), "bot_id": "B01"}))
    send_event(
        platforms,
        event_body(dm("U0SAM00103", "hello", channel)),
        headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
    )
    assert platforms.event_count("U0SAM00103") == 0 and posted_to(platforms, channel) == []


def test_forged_and_stale_requests_are_refused_and_nothing_is_stored(platforms):
    user, channel = "U0SAM00199", "D0SAM00199"
    body = event_body(dm(user, "hello", channel))
    assert send_event(platforms, body, secret="guessed").status_code == 403
    assert send_event(platforms, body, timestamp=str(int(time.time()) - 6 * 60)).status_code == 403
    assert platforms.post("slack", json=body).status_code == 403
    assert platforms.event_count(user) == 0 and posted_to(platforms, channel) == []


def test_a_long_answer_is_split_within_3000_character_blocks(platforms):
    channel = "D0SAM00104"
    send_event(platforms, event_body(dm("U0SAM00104", "i want to talk to a person", channel)))
    sections = [m["blocks"][0]["text"]["text"] for m in posted_to(platforms, channel)]
    assert len(sections) > 1 and all(len(s) <= 3000 for s in sections)
    on_the_web = platforms.rest_answer("slack-web-2", "i want to talk to a person")
    assert normalise(" ".join(sections)) == f"{on_the_web} {handoff_links()}"


def test_a_replayed_signed_event_is_handled_once(platforms):
    """Issue 16, F12: the same signed event (same event id and signature) posted again is not answered."""
    channel = "D0REPLAY01"
    raw = json.dumps(event_body(dm("U0REPLAY01", "what is psychodynamic therapy?", channel))).encode()
    timestamp = str(int(time.time()))
    assert send(platforms, raw, timestamp=timestamp).status_code == 200
    answered = len(posted_to(platforms, channel))
    assert answered >= 1
    assert send(platforms, raw, timestamp=timestamp).status_code == 200
    assert len(posted_to(platforms, channel)) == answered
