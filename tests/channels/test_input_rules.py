"""The REST channel's input rules: every payload is either a clean message or a clear 4xx reason."""

import json
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.input_rules import (
    SENDER_ID,
    Incoming,
    Rejected,
    clean_text,
    parse_json_object,
    read_message,
)

JSON = "application/json"


def read(payload, max_chars=2000):
    return read_message(parse_json_object(json.dumps(payload).encode(), JSON), max_chars)


@pytest.mark.parametrize(
    "body, content_type, status",
    [
        (b'{"sender": "a", "message": "hi"}', "text/plain", 415),
        (b'{"sender": "a", "message": "hi"}', None, 415),
        (b'{"sender": "a", "message": "hi"}', "application/x-www-form-urlencoded", 415),
        (b'{"sender": "a", "message": "\xff\xfe"}', JSON, 400),  # invalid UTF-8
        (b'{"sender": "a", "message": ', JSON, 400),  # malformed
        (b"[1, 2]", JSON, 400),
        (b'"hello"', JSON, 400),
        (b"null", JSON, 400),
        (b'{"sender": "a", "message": "hi", "metadata": {"x": NaN}}', JSON, 400),
        (b"[" * 100_000 + b"]" * 100_000, JSON, 400),  # nesting deep enough to break a parser
    ],
)
def test_bodies_that_are_not_a_json_object_are_refused(body, content_type, status):
    with pytest.raises(Rejected) as refused:
        read_message(parse_json_object(body, content_type), 2000)
    assert refused.value.status == status


def test_json_content_type_with_a_charset_is_accepted():
    assert parse_json_object(b'{"a": 1}', "application/json; charset=utf-8") == {"a": 1}


@pytest.mark.parametrize(
    "payload",
    [
        {"message": "hi"},  # Rasa would put every anonymous visitor in one shared conversation
        {"sender": None, "message": "hi"},
        {"sender": 42, "message": "hi"},
        {"sender": "", "message": "hi"},
        {"sender": "../../etc/passwd", "message": "hi"},
        {"sender": "a/b", "message": "hi"},
        {"sender": "a\\b", "message": "hi"},
        {"sender": "a b", "message": "hi"},
        {"sender": "x" * 10_000, "message": "hi"},
        {"sender": "a", "message": None},
        {"sender": "a", "message": 7},
        {"sender": "a", "message": ["hi"]},
        {"sender": "a", "message": ""},
        {"sender": "a", "message": " \t\n "},
        {"sender": "a", "message": "\u200b\u200b\ufeff"},
        {"sender": "a", "message": "hi", "metadata": "page=1"},
        {"sender": "a", "message": "hi", "metadata": {"x": "y" * 5000}},
    ],
)
def test_bad_senders_messages_and_metadata_are_refused_with_a_reason(payload):
    with pytest.raises(Rejected) as refused:
        read(payload)
    assert refused.value.status == 400 and refused.value.reason


def test_a_message_over_the_cap_is_flagged_not_refused():
    assert read({"sender": "a", "message": "x" * 2001}).too_long
    assert not read({"sender": "a", "message": "x" * 2000}).too_long


def test_a_client_cannot_choose_the_input_channel():
    incoming = read({"sender": "a", "message": "hi", "input_channel": "telegram"})
    assert incoming == Incoming("a", "hi", None, False)


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("ki\u200bll my\u00adself", "kill myself"),  # zero-width space, soft hyphen
        ("ｋｉｌｌ ｍｙｓｅｌｆ", "kill myself"),  # full-width letters
        ("\u202eevil\u202c text", "evil text"),  # bidirectional override
        ("tab\there\x00\x07", "tab here"),
        ("line one\r\nline two", "line one\nline two"),
        ("👨\u200d👩\u200d👧 family", "👨\u200d👩\u200d👧 family"),  # joiners in emoji kept
        ("می\u200cخواهم", "می\u200cخواهم"),  # ZWNJ in Persian kept
        ("שלום, ما هي العلاجات", "שלום, ما هي العلاجات"),
        (
            "🏴\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f Wales",
            "🏴\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f Wales",
        ),  # the flag of Wales kept
        ("/help", "/help"),  # a button payload
        ('/greet{"crisis_flagged": false}', 'greet{"crisis_flagged": false}'),
        ("/i want to die", "i want to die"),  # would skip the crisis net as a "payload"
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),  # stored as text, escaped by readers
    ],
)
def test_clean_text_drops_what_hides_words_and_keeps_what_people_write(raw, clean):
    assert clean_text(raw) == clean


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_cleaned_text_is_storable_and_visible(text):
    cleaned = clean_text(text)
    cleaned.encode("utf-8")  # no lone surrogates: PostgreSQL and JSON can store it
    assert cleaned == cleaned.strip()
    for char in cleaned:
        assert unicodedata.category(char) not in ("Cc", "Cs") or char == "\n"
    assert clean_text(cleaned) == cleaned, "cleaning twice changes nothing"


payload_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["sender", "message", "metadata", "input_channel", "stream"]) | st.text(max_size=5),
        payload_values | st.text(),
        max_size=5,
    )
)
def test_any_json_object_is_either_a_clean_message_or_a_400(payload):
    try:
        incoming = read(payload)
    except Rejected as refused:
        assert refused.status == 400
        return
    assert SENDER_ID.fullmatch(incoming.sender_id)
    assert incoming.text and incoming.text == clean_text(incoming.text)
    assert incoming.metadata is None or isinstance(incoming.metadata, dict)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.sampled_from([JSON, "text/plain", "", None]))
def test_any_bytes_are_either_parsed_or_refused(body, content_type):
    try:
        assert isinstance(parse_json_object(body, content_type), dict)
    except Rejected as refused:
        assert refused.status in (400, 415)


# --- typed commands (issue 16, F3) -------------------------------------------------------

from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered  # noqa: E402

from bot.channels.input_rules import as_typed_or_offered, offered_buttons  # noqa: E402

OFFERING = [
    UserUttered("hello"),
    BotUttered(
        "Pick one",
        data={
            "buttons": [
                {"title": "Talk to someone", "payload": "/handoff"},
                {"title": "What is it?", "payload": "What is psychodynamic therapy?"},
            ]
        },
    ),
    ActionExecuted("action_listen"),
]


def test_only_a_payload_offered_in_the_latest_bot_message_is_a_payload():
    assert as_typed_or_offered("/handoff", OFFERING) == "/handoff"
    for typed in ("/restart", "/back", "/session_start", "/crisis", "/faq", "/faq/what_is"):
        assert as_typed_or_offered(typed, OFFERING) == typed.lstrip("/")
    assert as_typed_or_offered("hello", OFFERING) == "hello"


def test_a_tap_on_an_older_button_becomes_its_title_and_nothing_is_offered_after_the_visitor_spoke():
    later = [*OFFERING, UserUttered("thanks"), BotUttered("You're welcome")]
    assert offered_buttons(later) == []
    assert as_typed_or_offered("/handoff", later) == "Talk to someone"
    assert as_typed_or_offered("/restart", later) == "restart"


def test_dict_events_work_too():
    as_dicts = [event.as_dict() for event in OFFERING]
    assert as_typed_or_offered("/handoff", as_dicts) == "/handoff"
    assert as_typed_or_offered("/crisis", as_dicts) == "crisis"
