"""Reading the platforms' webhook payloads, and shaping what goes back (no server needed)."""

from bot.channels.messenger import MessengerOutput, read_events
from bot.channels.rendering import STYLES, shape
from bot.channels.slack import escape, read_click, read_event
from bot.channels.telegram import read_update

PRIVATE = {"id": 111, "first_name": "Sam", "type": "private"}


def test_telegram_text_button_tap_and_commands():
    message = {"message_id": 1, "date": 1, "chat": PRIVATE, "from": {"id": 111}, "text": "hello"}
    assert read_update({"update_id": 1, "message": message}) == ("111", "hello", None)
    tap = {
        "id": "cb1",
        "from": {"id": 111},
        "message": message,
        "chat_instance": "1",
        "data": "How do I get referred?",
    }
    assert read_update({"update_id": 2, "callback_query": tap}) == ("111", "How do I get referred?", "cb1")
    assert read_update({"update_id": 3, "message": {**message, "text": "/start"}})[1] == "/greet"
    assert read_update({"update_id": 4, "message": {**message, "text": "/help@PracticeBot"}})[1] == "/help"


def test_telegram_ignores_groups_edits_and_stickers():
    group = {"message_id": 1, "date": 1, "chat": {"id": -5, "type": "group"}, "text": "hello"}
    assert read_update({"update_id": 1, "message": group}) is None
    assert read_update({"update_id": 2, "edited_message": {**group, "chat": PRIVATE}}) is None
    assert read_update({"update_id": 3, "message": {"message_id": 1, "chat": PRIVATE, "sticker": {}}}) is None


def test_messenger_reads_text_quick_replies_and_postbacks_but_not_echoes():
    def event(**kwargs):
        return {"sender": {"id": "PSID1"}, "recipient": {"id": "PAGE"}, "timestamp": 1, **kwargs}

    payload = {
        "object": "page",
        "entry": [
            {
                "id": "PAGE",
                "time": 1,
                "messaging": [
                    event(message={"mid": "m1", "text": "hello"}),
                    event(
                        message={
                            "mid": "m2",
                            "text": "1. What is…",
                            "quick_reply": {"payload": "What is psychodynamic therapy?"},
                        }
                    ),
                    event(postback={"title": "Yes", "payload": "/affirm", "mid": "m3"}),
                    event(message={"mid": "m4", "text": "our reply", "is_echo": True}),
                    event(read={"watermark": 1}),
                ],
            }
        ],
    }
    assert list(read_events(payload)) == [
        ("PSID1", "hello", "m1"),
        ("PSID1", "What is psychodynamic therapy?", "m2"),
        ("PSID1", "/affirm", "m3"),
    ]
    assert list(read_events({"object": "instagram", "entry": payload["entry"]})) == []


def test_messenger_sends_short_choices_as_buttons_and_long_lists_as_quick_replies():
    output = MessengerOutput("token", "http://fake")
    yes_no = shape(
        "Anything else?",
        [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}],
        STYLES["facebook"],
    )
    template = output.message(yes_no.texts[-1], yes_no, last=True)["attachment"]["payload"]
    assert template["template_type"] == "button" and [b["title"] for b in template["buttons"]] == [
        "Yes",
        "No",
    ]
    topics = [{"title": f"Topic number {n} is long", "payload": f"q{n}"} for n in range(1, 16)]
    many = shape("Pick one.", topics, STYLES["facebook"])
    message = output.message(many.texts[-1], many, last=True)
    assert "15. Topic number 15 is long" in message["text"]
    assert len(message["quick_replies"]) == 13
    assert all(len(q["title"]) <= 20 for q in message["quick_replies"])
    assert message["quick_replies"][0] == {
        "content_type": "text",
        "title": "1. Topic number 1 i…",
        "payload": "q1",
    }


def test_slack_reads_direct_messages_and_mentions_not_bots():
    dm = {
        "type": "message",
        "channel": "D1",
        "channel_type": "im",
        "user": "U1",
        "text": "hello",
        "ts": "1.1",
    }
    assert read_event({"type": "event_callback", "event": dm}) == ("U1", "D1", "hello", None)
    mention = {
        "type": "app_mention",
        "channel": "C1",
        "user": "U1",
        "text": "<@U0BOT> is it like CBT?",
        "ts": "2.2",
    }
    assert read_event({"type": "event_callback", "event": mention}) == ("U1", "C1", "is it like CBT?", "2.2")
    assert read_event({"type": "event_callback", "event": {**dm, "bot_id": "B1"}}) is None
    assert read_event({"type": "event_callback", "event": {**dm, "subtype": "message_changed"}}) is None
    assert read_event({"type": "event_callback", "event": {**dm, "channel_type": "channel"}}) is None


def test_slack_reads_a_button_click_and_escapes_markup():
    click = {
        "type": "block_actions",
        "user": {"id": "U1"},
        "channel": {"id": "D1"},
        "container": {"type": "message"},
        "actions": [{"type": "button", "value": "How do I get referred?"}],
    }
    assert read_click(click) == ("U1", "D1", "How do I get referred?", None)
    assert read_click({**click, "actions": []}) is None
    assert escape("A&E <now>") == "A&amp;E &lt;now&gt;"
