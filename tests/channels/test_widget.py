"""The widget's socket channel: link buttons, the crisis mark, server-issued sessions and page origins."""

import asyncio
from unittest import mock

import pytest

from bot.channels.widget import RecentTurns, SessionTokens, WebchatInput, WebchatOutput, widget_reply

CALL = {
    "title": "Call 0808 101 0337",
    "payload": "tel:08081010337",
    "type": "web_url",
    "url": "tel:08081010337",
}
TOPIC = {"title": "What is it?", "payload": "What is psychodynamic therapy?"}


class RecordingServer:
    """Stands in for socket.io's server: records what would be emitted to the browser."""

    def __init__(self):
        self.emitted = []

    async def emit(self, event, data=None, room=None, **kwargs):
        self.emitted.append((event, data, room))


def sent(output_call):
    sio = RecordingServer()
    asyncio.run(output_call(WebchatOutput(sio, "bot_uttered")))
    return [data for event, data, room in sio.emitted]


def test_link_buttons_stay_links_and_topics_stay_payloads():
    assert widget_reply(CALL) == {"type": "web_url", "title": CALL["title"], "url": "tel:08081010337"}
    assert widget_reply(TOPIC) == {
        "content_type": "text",
        "title": "What is it?",
        "payload": TOPIC["payload"],
    }


def test_paragraphs_become_bubbles_with_buttons_under_the_last():
    messages = sent(lambda out: out.send_text_with_buttons("s1", "One.\n\nTwo.", [TOPIC]))
    assert [m["text"] for m in messages] == ["One.", "Two."]
    assert (
        "quick_replies" not in messages[0] and messages[1]["quick_replies"][0]["payload"] == TOPIC["payload"]
    )


def test_phone_links_are_sent_as_lasting_buttons():
    (message,) = sent(lambda out: out.send_text_with_buttons("s1", "Call us.", [CALL]))
    assert message["buttons"] == [widget_reply(CALL)] and "quick_replies" not in message


def test_every_bubble_of_the_crisis_reply_is_marked():
    messages = sent(
        lambda out: out.send_text_with_buttons("s1", "Sorry.\n\n• 999", [CALL], metadata={"crisis": True})
    )
    assert [m["metadata"] for m in messages] == [{"crisis": True}, {"crisis": True}]


def test_ordinary_replies_carry_no_metadata():
    (message,) = sent(lambda out: out.send_text_message("s1", "Hello.", metadata={"topic": "what_is"}))
    assert message == {"text": "Hello."}


def test_text_and_sms_payloads_become_links():
    shout = {"title": "Text SHOUT to 85258", "payload": "sms:85258?body=SHOUT"}
    assert widget_reply(shout) == {"type": "web_url", "title": shout["title"], "url": "sms:85258?body=SHOUT"}
    assert widget_reply({"title": "111", "payload": "tel:111"})["url"] == "tel:111"


def test_offered_payloads_are_remembered_per_conversation_and_links_are_not():
    turns = RecentTurns()
    asyncio.run(
        WebchatOutput(RecordingServer(), "bot_uttered", turns).send_text_with_buttons(
            "web:a", "Pick one.", [TOPIC, CALL, {"title": "Yes", "payload": "/affirm"}]
        )
    )
    (event,) = turns("web:a")
    assert event["event"] == "bot" and [b["payload"] for b in event["data"]["buttons"]] == [
        TOPIC["payload"],
        "/affirm",
    ]
    assert turns("web:b") == []


def test_recent_turns_are_bounded():
    turns = RecentTurns(conversations=2, per_conversation=3)
    for conversation in ("web:a", "web:b", "web:c"):
        for _ in range(5):
            turns.user(conversation)
    assert turns("web:a") == [] and len(turns("web:c")) == 3


def test_tokens_resume_only_their_own_conversation():
    tokens = SessionTokens(b"k" * 32)
    conversation, token = tokens.issue()
    assert conversation.startswith("web:") and len(conversation) >= 36
    assert tokens.conversation(token) == conversation
    raw = conversation[len("web:") :]
    for forged in (raw, raw + ".", raw + ".AAAA", token + "x", conversation, None, 42, "a.b.c"):
        assert tokens.conversation(forged) is None, forged
    assert SessionTokens(b"j" * 32).conversation(token) is None, "another key, another server"
    assert tokens.issue()[0] != conversation


ORIGIN = "http://127.0.0.1:8080"


@pytest.fixture
def channel(monkeypatch):
    monkeypatch.setenv("WEB_ALLOWED_ORIGINS", ORIGIN)
    channel = WebchatInput.from_credentials({"session_persistence": True, "metadata_key": "customData"})
    channel.received = mock.AsyncMock()
    channel.blueprint(channel.received)
    return channel


def handler(channel, event):
    return channel.sio.handlers["/"][event]


def join(channel, sid, data=None):
    """A socket's session_request; returns what session_confirm told it."""
    sent = []

    async def emit(event, payload=None, room=None, **kwargs):
        sent.append((event, payload, room))

    with (
        mock.patch.object(channel.sio, "emit", emit),
        mock.patch.object(channel.sio, "enter_room", mock.AsyncMock()),
        mock.patch.object(channel.sio, "leave_room", mock.AsyncMock()),
    ):
        asyncio.run(handler(channel, "session_request")(sid, data))
    ((event, confirm, room),) = sent
    assert event == "session_confirm" and room == sid
    return confirm


def widget_sends(channel, data, sid="sid"):
    if channel.conversation_of(sid) is None:
        join(channel, sid)
    asyncio.run(handler(channel, "user_uttered")(sid, data))
    return [call.args[0] for call in channel.received.await_args_list]


def test_messages_reach_rasa_cleaned_under_the_sockets_conversation(channel):
    (message,) = widget_sends(
        channel, {"message": "what is\u200b it?", "customData": {"practice": "demo", "page": "/"}}
    )
    assert (message.text, message.metadata) == ("what is it?", {"practice": "demo", "page": "/"})
    assert message.sender_id == channel.conversation_of("sid") and message.sender_id.startswith("web:")
    assert isinstance(message.output_channel, WebchatOutput)


@pytest.mark.parametrize(
    "data",
    [
        {"message": "hi", "customData": {"page": "x" * 5000}},
        {"message": "\u200b"},
        {"message": "hi", "session_id": "web:someone-else"},
        "hi",
        {"message": 3},
    ],
)
def test_bad_widget_messages_go_no_further(channel, data):
    assert widget_sends(channel, data) == []


def test_a_socket_without_a_conversation_cannot_send(channel):
    asyncio.run(handler(channel, "user_uttered")("stranger", {"message": "hi", "session_id": "web:abc"}))
    channel.received.assert_not_awaited()


def test_greet_is_a_payload_only_for_a_new_conversation(channel):
    (first,) = widget_sends(channel, {"message": "/greet"})
    assert first.text == "/greet"
    assert widget_sends(channel, {"message": "/restart"})[-1].text == "restart"
    assert widget_sends(channel, {"message": "/greet"})[-1].text == "greet"


def bot_offers(channel, message, buttons):
    with mock.patch.object(channel.sio, "emit", mock.AsyncMock()):
        asyncio.run(message.output_channel.send_text_with_buttons(message.sender_id, "Pick one.", buttons))


def test_only_the_latest_messages_payloads_are_payloads_as_on_every_channel(channel):
    (greet,) = widget_sends(channel, {"message": "/greet"})
    bot_offers(channel, greet, [{"title": "Yes", "payload": "/affirm"}, CALL])
    assert widget_sends(channel, {"message": "/affirm"})[-1].text == "/affirm"
    # the visitor has written since: a tap on that button now sends its words, not the intent
    assert widget_sends(channel, {"message": "/affirm"})[-1].text == "Yes"
    assert widget_sends(channel, {"message": "//session_start"})[-1].text == "session_start"
    bot_offers(channel, greet, [{"title": "Yes", "payload": "/affirm"}])
    assert widget_sends(channel, {"message": "/crisis"})[-1].text == "crisis"


def test_pages_from_other_origins_and_scripts_cannot_connect(channel):
    connect = handler(channel, "connect")
    assert asyncio.run(connect("sid", {"HTTP_ORIGIN": "https://elsewhere.example"}, None)) is False
    assert asyncio.run(connect("sid", {}, None)) is False, "no Origin: a script, not a page"
    assert asyncio.run(connect("sid", {"HTTP_ORIGIN": ORIGIN}, None)) is True


def test_a_new_visitor_gets_a_server_issued_conversation(channel):
    confirm = join(channel, "sid", {"session_id": "web:victim"})
    assert confirm["session_id"] != "web:victim" and confirm["session_id"].startswith("web:")
    assert confirm["resumed"] is False and channel.conversation_of("sid") == confirm["session_id"]


def test_only_the_token_resumes_a_conversation_and_it_moves_to_the_new_socket(channel):
    first = join(channel, "tab", None)
    assert join(channel, "script", {"session_id": first["session_id"]})["session_id"] != first["session_id"]
    again = join(channel, "reloaded-tab", {"resume_token": first["resume_token"]})
    assert (again["session_id"], again["resumed"]) == (first["session_id"], True)
    assert channel.conversation_of("reloaded-tab") == first["session_id"]
    assert channel.conversation_of("tab") is None, "the old socket no longer holds it"


def test_disconnecting_releases_the_conversation(channel):
    join(channel, "sid")
    with mock.patch.object(channel.sio, "leave_room", mock.AsyncMock()):
        asyncio.run(handler(channel, "disconnect")("sid"))
    assert channel.conversation_of("sid") is None


VOTES = {
    "topic": "cost",
    "yes": '/feedback{"rated_topic":"cost","helpful":"yes"}',
    "no": '/feedback{"rated_topic":"cost","helpful":"no"}',
}


def test_an_faq_answer_carries_its_thumbs_on_the_last_bubble_and_offers_both_votes():
    turns = RecentTurns()
    sio = RecordingServer()
    asyncio.run(
        WebchatOutput(sio, "bot_uttered", turns).send_text_message(
            "web:a", "Fees vary.\n\nCall us.", metadata={"feedback": {**VOTES, "ask": "Was this helpful?"}}
        )
    )
    first, last = [data for _, data, _ in sio.emitted]
    assert "metadata" not in first and last["metadata"] == {"feedback": VOTES}, (
        "no question in words on the web"
    )
    (event,) = turns("web:a")
    assert [b["payload"] for b in event["data"]["buttons"]] == [VOTES["yes"], VOTES["no"]]


def test_the_thank_you_is_marked_for_the_widget():
    (message,) = sent(
        lambda out: out.send_text_message("s1", "Thank you.", metadata={"feedback_thanks": True})
    )
    assert message["metadata"] == {"feedback_thanks": True}


def test_a_vote_reaches_rasa_as_a_payload_only_once_offered(channel):
    typed = widget_sends(channel, {"message": VOTES["no"]})
    assert typed[-1].text.startswith("feedback{"), "not offered yet: plain text"
    conversation = channel.conversation_of("sid")
    channel.turns.bot(conversation, [{"title": "No", "payload": VOTES["no"]}])
    assert widget_sends(channel, {"message": VOTES["no"]})[-1].text == VOTES["no"]
    widget_sends(channel, {"message": "and how much does it cost?"})  # the visitor moves on
    assert widget_sends(channel, {"message": VOTES["no"]})[-1].text == VOTES["no"], (
        "a vote on an earlier answer counts"
    )
