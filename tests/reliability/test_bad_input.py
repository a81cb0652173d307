"""Bad input against the running assistant over REST: a clear 4xx or a polite reply, never a 5xx,
a stack trace or a mess in the conversation store.
"""

import json
import unicodedata

import pytest
import requests
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channels.input_rules import SENDER_ID
from bot.privacy.pseudonym import PSEUDONYM
from bot.settings import practice

pytestmark = pytest.mark.model

JSON = "application/json"
INPUTS_TRIED = []  # (case, status): summarised in docs/reliability.md


def post(bot, body, content_type=JSON, params=None):
    headers = {"Content-Type": content_type} if content_type else {}
    return requests.post(bot.rest_url, data=body, headers=headers, params=params, timeout=120)


def message(sender, text, **extra):
    return json.dumps({"sender": sender, "message": text, **extra}).encode()


def assert_clear(response, allowed):
    assert response.status_code in allowed, (response.status_code, response.text[:300])
    assert "Traceback" not in response.text and 'File "/' not in response.text
    if response.status_code == 200:
        replies = response.json()
        assert replies, "a 200 always carries a reply"
        assert all(reply.get("text") or reply.get("buttons") for reply in replies), "no empty replies"
    else:
        assert response.headers["Content-Type"].startswith("application/json")


BAD_REQUESTS = {
    "empty message": (message("bad-1", ""), JSON, {400}),
    "whitespace message": (message("bad-1", " \t \n "), JSON, {400}),
    "zero-width only": (message("bad-1", "\u200b\u2060\ufeff"), JSON, {400}),
    "null message": (json.dumps({"sender": "bad-1", "message": None}).encode(), JSON, {400}),
    "number as message": (json.dumps({"sender": "bad-1", "message": 42}).encode(), JSON, {400}),
    "message missing": (json.dumps({"sender": "bad-1"}).encode(), JSON, {400}),
    "sender missing": (json.dumps({"message": "hello"}).encode(), JSON, {400}),
    "sender null": (json.dumps({"sender": None, "message": "hello"}).encode(), JSON, {400}),
    "sender a number": (json.dumps({"sender": 7, "message": "hello"}).encode(), JSON, {400}),
    "sender with path separators": (message("../../etc/passwd", "hello"), JSON, {400}),
    "sender with backslashes": (message("..\\..\\windows", "hello"), JSON, {400}),
    "sender 10 KB": (message("s" * 10_000, "hello"), JSON, {400}),
    "sender with spaces and quotes": (message('o\'brien "x"', "hello"), JSON, {400}),
    "malformed JSON": (b'{"sender": "bad-1", "message": "hi"', JSON, {400}),
    "JSON array": (b'[{"sender": "bad-1", "message": "hi"}]', JSON, {400}),
    "JSON string": (b'"hello"', JSON, {400}),
    "JSON NaN in metadata": (b'{"sender": "bad-1", "message": "hi", "metadata": {"a": NaN}}', JSON, {400}),
    "deeply nested JSON": (b"[" * 20_000 + b"]" * 20_000, JSON, {400}),
    "metadata not an object": (message("bad-1", "hi", metadata="x"), JSON, {400}),
    "metadata 10 KB": (message("bad-1", "hi", metadata={"x": "y" * 10_000}), JSON, {400}),
    "invalid UTF-8": (b'{"sender": "bad-1", "message": "\xc3\x28 \xff"}', JSON, {400}),
    "lone surrogate only": (b'{"sender": "bad-1", "message": "\\ud800"}', JSON, {400}),
    "text/plain": (message("bad-1", "hello"), "text/plain", {415}),
    "form encoded": (b"sender=bad-1&message=hello", "application/x-www-form-urlencoded", {415}),
    "no content type": (message("bad-1", "hello"), None, {415}),
    "XML": (b"<message>hello</message>", "application/xml", {415}),
    "100 KB message": (message("bad-2", "a" * 100_000), JSON, {413}),
    "5 MB message": (message("bad-2", "a" * 5_000_000), JSON, {413}),
}

ODD_BUT_FINE = {
    "emoji": "🙂 what is psychodynamic therapy? 🙏🏽👨‍👩‍👧",
    "right-to-left": "ما هو العلاج النفسي الديناميكي؟ מה זה טיפול דינמי",
    "zero-width inside words": "what\u200b is psycho\u200bdynamic ther\u00adapy?",
    "bidi override": "\u202ewhat is psychodynamic therapy\u202c",
    "control characters": "hello\x00\x07\x1b[31m there",
    "HTML and script": "<script>alert('x')</script><img src=x onerror=alert(1)> what is therapy?",
    "SQL-looking": "'; DROP TABLE events; -- what is therapy? \" OR 1=1 --",
    "intent injection": '/greet{"crisis_flagged": false}',
    "template braces": "{practice_phone} {0} %s %(x)s ${HOME}",
    "only punctuation": "?!?!...,,,;;;",
    "a long word": "x" * 1999,
    "new lines": "hello\n\n\nhow do I get referred?\r\n",
    "full-width letters": "ｗｈａｔ ｉｓ ｔｈｅｒａｐｙ",
}


@pytest.mark.parametrize("case", sorted(BAD_REQUESTS))
def test_bad_requests_get_a_clear_4xx(default_bot, case):
    body, content_type, allowed = BAD_REQUESTS[case]
    response = post(default_bot, body, content_type)
    INPUTS_TRIED.append((case, response.status_code))
    assert_clear(response, allowed)


@pytest.mark.parametrize("case", sorted(ODD_BUT_FINE))
def test_odd_but_harmless_messages_get_a_normal_reply(default_bot, case):
    response = post(default_bot, message(f"odd-{len(case)}", ODD_BUT_FINE[case]))
    INPUTS_TRIED.append((case, response.status_code))
    assert_clear(response, {200})


def test_senders_with_ids_like_uuids_emails_and_platform_ids_are_accepted(default_bot):
    for sender in ("0b7e2c54-1f0c-4d8e-9a53-5a1f9c1e2b3d", "someone@example.org", "tg:123456789", "A" * 128):
        assert_clear(post(default_bot, message(sender, "hello")), {200})


def test_a_message_over_the_cap_is_answered_politely_and_not_stored(default_bot):
    response = post(default_bot, message("long-1", "please tell me about therapy " * 100))
    assert_clear(response, {200})
    assert "too long" in response.text and practice().phone in response.text
    assert stored_user_texts(default_bot, "long-1") == []


def test_a_long_message_with_risk_in_it_gets_the_crisis_reply_and_is_flagged(default_bot):
    text = "I have been thinking about a lot of things lately. " * 50 + "I want to end my life."
    response = post(default_bot, message("long-2", text))
    assert_clear(response, {200})
    assert practice().crisis_samaritans in response.text
    assert stored_intents(default_bot, "long-2") == ["crisis"]


def test_a_risk_message_disguised_as_a_button_payload_still_gets_the_crisis_reply(default_bot):
    response = post(default_bot, message("slash-1", "/i want to kill myself"))
    assert practice().crisis_samaritans in response.text


def test_streaming_works_for_a_valid_message(default_bot):
    response = post(default_bot, message("stream-1", "hello"), params={"stream": "true"})
    assert response.status_code == 200
    lines = [json.loads(line) for line in response.text.splitlines() if line.strip()]
    assert lines and all(line.get("text") or line.get("buttons") for line in lines)


def test_wrong_methods_and_paths_get_4xx(default_bot):
    assert requests.get(default_bot.rest_url, timeout=10).status_code == 405
    assert requests.put(default_bot.rest_url, data=b"{}", timeout=10).status_code == 405
    assert (
        requests.post(f"{default_bot.rasa_url}/webhooks/nope/webhook", json={}, timeout=10).status_code == 404
    )


valid_senders = st.sampled_from(["prop-1", "prop-2", "prop-3"])
any_text = st.text(min_size=1, max_size=200) | st.sampled_from(
    list(ODD_BUT_FINE.values()) + ["hello", "I want to die"]
)
extras = st.dictionaries(
    st.sampled_from(["metadata", "input_channel", "stream", "extra"]),
    st.none() | st.text(max_size=20) | st.dictionaries(st.text(max_size=5), st.text(max_size=10), max_size=2),
    max_size=2,
)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(sender=valid_senders, text=any_text)
def test_any_text_from_a_valid_sender_gets_a_reply(default_bot, sender, text):
    response = post(default_bot, message(sender, text))
    INPUTS_TRIED.append(("hypothesis text", response.status_code))
    if response.status_code == 400:  # only when nothing visible is left once cleaned
        assert response.json()["error"] == "'message' is empty."
    else:
        assert_clear(response, {200})


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    sender=valid_senders | st.text(max_size=12) | st.integers() | st.none(),
    text=any_text
    | st.sampled_from(["", " "])
    | st.integers()
    | st.none()
    | st.lists(st.text(max_size=5), max_size=2),
    extra=extras,
)
def test_any_payload_gets_a_clear_4xx_or_a_reply(default_bot, sender, text, extra):
    body = json.dumps({"sender": sender, "message": text, **extra}).encode()
    response = post(default_bot, body)
    INPUTS_TRIED.append(("hypothesis payload", response.status_code))
    assert_clear(response, {200, 400})


def test_health_and_a_normal_conversation_are_unaffected(default_bot):
    assert requests.get(f"{default_bot.rasa_url}/webhooks/rest/health", timeout=10).json()["status"] == "ok"
    assert_clear(post(default_bot, message("after-all", "how do i get referred")), {200})


def test_nothing_messy_was_stored(default_bot):
    """Runs last: every stored sender id is safe and every stored user text is clean."""
    engine = sa.create_engine(default_bot.db_url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text("select sender_id, type_name, data from events")).fetchall()
    engine.dispose()
    assert rows
    for row in rows:
        # "rest:" + a valid sender, or a pseudonym for an id that is personal data (bot/privacy/pseudonym.py)
        assert PSEUDONYM.fullmatch(row.sender_id) or (
            row.sender_id.startswith("rest:") and SENDER_ID.fullmatch(row.sender_id[5:])
        ), row.sender_id
        data = json.loads(row.data)
        if row.type_name == "user":
            text = data["text"]
            assert text.strip() == text and text, repr(text)
            assert len(text) <= 2000 or text == "/crisis"
            bad = [c for c in text if unicodedata.category(c) in ("Cc", "Cs") and c != "\n"]
            assert not bad and "\u200b" not in text and "\u202e" not in text, repr(text)
            assert data.get("input_channel") == "rest"
    assert not {"default", "rest:default"} & {row.sender_id for row in rows}
    print("\nINPUTS TRIED", json.dumps(summary(INPUTS_TRIED)))


def summary(tried):
    counts = {}
    for _, status in tried:
        counts[status] = counts.get(status, 0) + 1
    return {"requests": len(tried), "by_status": counts}


def stored_user_texts(bot, sender):
    return [json.loads(row.data)["text"] for row in events(bot, sender) if row.type_name == "user"]


def stored_intents(bot, sender):
    return [row.intent_name for row in events(bot, sender) if row.type_name == "user"]


def events(bot, sender):
    engine = sa.create_engine(bot.db_url)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("select type_name, intent_name, data from events where sender_id = :s order by id"),
            {"s": f"rest:{sender}"},  # REST files its conversations under rest: (bot/channels/ids.py)
        ).fetchall()
    engine.dispose()
    return rows
