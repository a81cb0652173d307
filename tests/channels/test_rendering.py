"""Shaping answers for each channel: numbered options, link buttons, limits, splitting."""

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.rendering import (
    NUMBER_PROMPT,
    STYLES,
    Style,
    link_line,
    option_number,
    options_from,
    picked_payload,
    shape,
    split_text,
    truncate,
    units,
)

TOPICS = [
    {"title": "What is psychodynamic therapy?", "payload": "What is psychodynamic therapy?"},
    {"title": "What happens in a session?", "payload": "What happens in a session?"},
    {"title": "Can it help me?", "payload": "What problems can psychodynamic therapy help with?"},
    {"title": "Does it work?", "payload": "What does the research say about psychodynamic therapy?"},
    {"title": "Side effects", "payload": "Are there any side effects?"},
    {"title": "How do I get referred?", "payload": "How do I get referred?"},
]
CALL_BUTTONS = [
    {"title": "Call 999", "payload": "tel:999", "type": "web_url", "url": "tel:999"},
    {"title": "Call Samaritans 116 123", "payload": "tel:116123", "type": "web_url", "url": "tel:116123"},
]


def offered(buttons, text="Pick a topic."):
    """A bot message as the tracker stores it."""
    return {"text": text, "buttons": buttons}


def test_sms_shows_options_as_a_numbered_list_with_a_prompt():
    shaped = shape("Hello.", TOPICS, STYLES["sms"])
    assert not shaped.native
    assert shaped.texts == (
        "Hello.\n\n"
        + "\n".join(f"{n}. {b['title']}" for n, b in enumerate(TOPICS, start=1))
        + "\n\n"
        + NUMBER_PROMPT,
    )


def test_a_number_picks_the_option_it_labels():
    sms = STYLES["sms"]
    assert picked_payload("1", offered(TOPICS), sms) == "What is psychodynamic therapy?"
    assert picked_payload(" 4. ", offered(TOPICS), sms) == TOPICS[3]["payload"]
    assert picked_payload("#6", offered(TOPICS), sms) == TOPICS[5]["payload"]
    assert picked_payload("7", offered(TOPICS), sms) is None
    assert picked_payload("0", offered(TOPICS), sms) is None
    assert picked_payload("1 please", offered(TOPICS), sms) is None
    assert picked_payload("1", {}, sms) is None


def test_numbers_are_not_options_where_options_were_buttons():
    assert shape("Hello.", TOPICS, STYLES["telegram"]).native
    assert picked_payload("1", offered(TOPICS), STYLES["telegram"]) is None


def test_call_buttons_become_plain_numbers_and_are_not_options():
    shaped = shape("Please get help now.", CALL_BUTTONS, STYLES["whatsapp"])
    assert shaped.options == ()
    assert shaped.texts == ("Please get help now.\n\nCall 999\nCall Samaritans 116 123",)
    assert "tel:" not in shaped.texts[0] and NUMBER_PROMPT not in shaped.texts[0]
    for style in STYLES.values():
        assert all("tel:" not in text for text in shape("Help.", CALL_BUTTONS, style).texts)


def test_a_call_button_whose_title_lacks_the_number_gets_it_added():
    assert link_line({"title": "Call us", "payload": "tel:08081010337"}) == "Call us: 08081010337"
    assert link_line({"title": "Privacy", "url": "https://example.org/p"}) == "Privacy: https://example.org/p"


def test_options_and_call_buttons_together_number_only_the_options():
    shaped = shape("Choose.", CALL_BUTTONS[:1] + TOPICS[:2], STYLES["sms"])
    assert [o.number for o in shaped.options] == [1, 2]
    assert "Call 999\n\n1. What is psychodynamic therapy?\n2. What happens in a session?" in shaped.texts[0]


def test_messenger_uses_buttons_for_up_to_three_short_options_only():
    facebook = STYLES["facebook"]
    short = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
    assert shape("Anything else?", short, facebook).native
    assert not shape("Pick one.", TOPICS, facebook).native  # six: more than three
    assert not shape("Pick one.", TOPICS[:2], facebook).native  # titles over 20 characters
    assert picked_payload("2", offered(TOPICS), facebook) == TOPICS[1]["payload"]


def test_messenger_button_text_is_cut_to_its_640_limit():
    text = ("A sentence of about fifty characters, give or take. " * 30).strip()
    shaped = shape(text, [{"title": "Yes", "payload": "/affirm"}], STYLES["facebook"])
    assert shaped.native and units(shaped.texts[-1]) <= 640
    assert all(units(t) <= 2000 for t in shaped.texts)


def test_telegram_payloads_too_long_for_callback_data_fall_back_to_numbers():
    long_payload = [{"title": "Long", "payload": "x" * 65}]
    assert not shape("Choose.", long_payload, STYLES["telegram"]).native
    assert picked_payload("1", offered(long_payload), STYLES["telegram"]) == "x" * 65


def test_options_without_text_are_listed_rather_than_sent_as_bare_buttons():
    shaped = shape("", TOPICS[:2], STYLES["telegram"])
    assert not shaped.native and shaped.texts[0].startswith("1. What is")
    assert picked_payload("2", offered(TOPICS[:2], text=None), STYLES["telegram"]) == TOPICS[1]["payload"]


def test_nothing_to_send_gives_no_texts():
    assert shape(None, None, STYLES["slack"]).texts == ()


def test_long_answers_split_at_paragraphs_within_each_channel_limit():
    paragraph = "This paragraph is about psychodynamic therapy and what to expect. " * 10
    text = "\n\n".join([paragraph.strip()] * 12)  # about 8000 characters
    for name, style in STYLES.items():
        parts = shape(text, [], style).texts
        assert len(parts) > 1, name
        assert all(units(part) <= style.max_text for part in parts), name
        assert all(part.endswith("expect.") for part in parts), f"{name}: split inside a paragraph"


def test_split_cuts_a_single_overlong_word_and_counts_emoji_as_two():
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]
    assert split_text("🙂" * 6, 4) == ["🙂🙂", "🙂🙂", "🙂🙂"]


@settings(max_examples=150, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("ab .\n🙂")), max_size=400), st.integers(min_value=2, max_value=60)
)
def test_split_never_exceeds_the_limit_and_never_loses_words(text, limit):
    parts = split_text(text, limit)
    assert all(0 < units(part) <= limit for part in parts)
    assert "".join("".join(parts).split()) == "".join(text.split())


def test_option_numbers_and_truncation():
    assert option_number("12") == 12 and option_number("one") is None and option_number(None) is None
    assert truncate("What is psychodynamic therapy?", 20) == "What is psychodynam…"
    assert units(truncate("What is psychodynamic therapy?", 20)) == 20
    assert truncate("Side effects", 20) == "Side effects"


def test_options_skip_link_buttons_and_buttons_without_payload():
    buttons = CALL_BUTTONS + [{"title": "Nothing"}] + TOPICS[:1]
    assert [(o.number, o.title) for o in options_from(buttons)] == [(1, "What is psychodynamic therapy?")]


def test_a_style_without_buttons_never_shows_them():
    assert not shape("Hi", TOPICS[:1], Style(max_text=100)).native


def test_a_text_button_becomes_what_to_text_and_is_not_an_option():
    shout = {
        "title": "Text SHOUT to 85258",
        "payload": "sms:85258?&body=SHOUT",
        "type": "web_url",
        "url": "sms:85258?&body=SHOUT",
    }
    assert link_line(shout) == "Text SHOUT to 85258"
    assert link_line({"title": "Shout", "url": "sms:85258?&body=SHOUT"}) == "Text SHOUT to 85258"
    assert options_from([shout]) == []
    for style in STYLES.values():
        assert all("sms:" not in text for text in shape("Help.", CALL_BUTTONS + [shout], style).texts)
