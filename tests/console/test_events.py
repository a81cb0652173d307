"""console/events.py: how stored events read, and what a conversation's summary says."""

import json

from bench.synthetic import ConversationBuilder
from console.events import read_event, summarise, topic_choices, topic_label


def rows(builder):
    return [(n, row["timestamp"], row["data"]) for n, row in enumerate(builder.rows(), start=1)]


def test_an_faq_question_reads_as_its_topic_with_both_confidences():
    conv = ConversationBuilder("a", 1_700_000_000.0).faq("how much is it", "cost", 0.91, 0.8)
    user = [read_event(n, json.loads(data)) for n, _, data in rows(conv)]
    asked = next(m for m in user if m and m.speaker == "user")
    assert (asked.topic, asked.confidence, asked.answer_confidence) == ("faq/cost", 0.91, 0.8)
    assert not asked.unanswered
    reply = next(m for m in user if m and m.speaker == "bot")
    assert reply.reply == "utter_faq/cost"


def test_a_real_stored_faq_event_without_a_full_retrieval_name_uses_the_response_selector():
    data = {
        "event": "user",
        "timestamp": 1.0,
        "text": "cost?",
        "input_channel": "telegram",
        "parse_data": {
            "intent": {"name": "faq", "confidence": 0.9},
            "response_selector": {
                "faq": {"response": {"intent_response_key": "faq/cost", "confidence": 0.4}}
            },
        },
    }
    message = read_event(7, data, low_confidence=0.5)
    assert message.topic == "faq/cost" and message.channel == "telegram"
    assert message.low_confidence and message.unanswered


def test_fallback_low_confidence_and_button_payloads():
    fallback = read_event(
        1,
        {
            "event": "user",
            "text": "blorp",
            "parse_data": {"intent": {"name": "nlu_fallback", "confidence": 0.2}},
        },
    )
    assert fallback.fallback and not fallback.low_confidence
    button = read_event(
        2, {"event": "user", "text": "/help", "parse_data": {"intent": {"name": "help", "confidence": 0.1}}}
    )
    assert not button.unanswered, "a button click is not a question the bot failed"


def test_the_crisis_safety_net_marks_the_message_and_is_never_unanswered():
    message = read_event(
        1,
        {
            "event": "user",
            "text": "x",
            "parse_data": {
                "intent": {"name": "crisis", "confidence": 0.2},
                "crisis_safety_net": {"triggered_by": "rules"},
            },
        },
    )
    assert message.crisis and not message.unanswered


def test_bookkeeping_events_are_skipped():
    assert read_event(1, {"event": "action", "name": "action_listen"}) is None
    assert read_event(1, {"event": "user_featurization"}) is None
    assert read_event(1, {"event": "slot", "name": "crisis_flagged", "value": True}).crisis


def test_summary_of_a_conversation():
    conv = (
        ConversationBuilder("s", 1_700_000_000.0, "socketio")
        .said("hello", "greet", "utter_greet")
        .faq("how do I get referred", "referral")
        .fallback("can I bring my dog")
        .fallback("parking?", second=True)
        .faq("cost", "cost", 0.4, 0.9)
        .crisis("I want to end it")
    )
    s = summarise("s", rows(conv), low_confidence=0.5)
    assert s.channel == "socketio" and s.first_message == "hello"
    assert s.topics == ("crisis", "faq/cost", "faq/referral")  # no small talk, no fallback
    assert (s.fallback_count, s.low_confidence_count) == (2, 1)
    assert s.crisis and s.referral_offered and s.unanswered
    assert s.user_messages == 6 and s.bot_messages == 6
    assert "can i bring my dog" in s.search_text
    assert [m.text for m in s.unanswered_messages] == ["can I bring my dog", "parking?", "cost"]
    assert s.started_at < s.last_at and s.last_event_id == len(conv.rows())


def test_referral_line_only_when_a_referral_reply_was_sent():
    conv = ConversationBuilder("s", 1.0).faq("what is it", "what_is")
    assert not summarise("s", rows(conv)).referral_offered
    conv.said("a person please", "request_human", "utter_handoff")
    assert summarise("s", rows(conv)).referral_offered


def test_topic_labels_and_choices():
    assert topic_label("faq/cost") == "Cost"
    assert topic_label("request_human") == "Asked for a person"
    assert topic_label("faq/unknown") == "faq/unknown"
    choices = dict(topic_choices())
    assert "faq/referral" in choices and "crisis" in choices and "nlu_fallback" not in choices


def test_the_first_message_is_what_the_visitor_typed_and_the_start_page_is_kept():
    conv = ConversationBuilder("w", 1_700_000_000.0, "socketio").opened("/fees").faq("how much is it", "cost")
    summary = summarise("w", rows(conv))
    assert summary.first_message == "how much is it" and summary.start_page == "/fees"


def test_only_pressed_buttons_read_as_presses_and_unpressed_payloads_are_hidden():
    from console.events import mark_presses

    buttons = [
        {"title": "Cost", "payload": "How much does it cost?"},
        {"title": "Something else", "payload": "/help"},
    ]
    conv = (
        ConversationBuilder("b", 1.0, "socketio")
        .opened()
        .user("hello", "greet")
        .reply("action_suggest_topics", "Did you mean one of these?", buttons=buttons)
        .user("/help", "help", 1.0)
        .reply("utter_help")
        .listen()
        .user("/crisis", "crisis", 1.0, safety_net=True)
        .reply("utter_crisis")
        .listen()
    )
    messages = mark_presses([m for m in (read_event(n, json.loads(d)) for n, _, d in rows(conv)) if m])
    users = [m for m in messages if m.speaker == "user"]
    assert [(m.text, m.pressed, m.shown) for m in users] == [
        ("/greet", None, False),
        ("hello", None, True),
        ("/help", "Something else", True),
        ("/crisis", None, True),
    ]


def test_risk_levels_from_the_nlu():
    conv = (
        ConversationBuilder("r", 1.0)
        .check_in("everything feels heavy lately")
        .user(
            "I want to die",
            "share_difficulty",
            0.9,
            risk={"level": "crisis", "score": 0.93, "kinds": ["suicide"]},
        )
    )
    summary = summarise("r", rows(conv))
    assert summary.possible_risk and [m.text for m in summary.risk_messages] == [
        "everything feels heavy lately"
    ]
    assert summary.crisis, "a crisis-level score is a crisis even when the intent is not"


def test_channels_in_plain_words():
    from console.events import channel_label

    assert [
        channel_label(c)
        for c in ("socketio", "whatsapp", "sms", "telegram", "facebook", "slack", "rest", "web:widget", None)
    ] == [
        "Website chat",
        "WhatsApp",
        "SMS",
        "Telegram",
        "Messenger",
        "Slack",
        "API",
        "Website chat",
        "Unknown",
    ]


def test_a_crisis_conversation_keeps_the_message_that_set_off_the_safety_net():
    conv = ConversationBuilder("c", 1.0).said("hello", "greet", "utter_greet").crisis("I cannot go on")
    assert summarise("c", rows(conv)).crisis_message == "I cannot go on"
