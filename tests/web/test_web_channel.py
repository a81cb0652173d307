"""The widget's socket channel: link buttons, crisis styling, session rooms and page origins."""

import asyncio
from unittest import mock

import pytest

from bot.web.channel import CRISIS_CSS, WebchatInput, WebchatOutput, widget_reply

CALL = {"title": "Call 0808 101 0337", "payload": "tel:08081010337", "type": "web_url", "url": "tel:08081010337"}
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
    assert widget_reply(TOPIC) == {"content_type": "text", "title": "What is it?", "payload": TOPIC["payload"]}


def test_paragraphs_become_bubbles_with_buttons_under_the_last():
    messages = sent(lambda out: out.send_text_with_buttons("s1", "One.\n\nTwo.", [TOPIC]))
    assert [m["text"] for m in messages] == ["One.", "Two."]
    assert "quick_replies" not in messages[0] and messages[1]["quick_replies"][0]["payload"] == TOPIC["payload"]


def test_phone_links_are_sent_as_lasting_buttons():
    (message,) = sent(lambda out: out.send_text_with_buttons("s1", "Call us.", [CALL]))
    assert message["buttons"] == [widget_reply(CALL)] and "quick_replies" not in message


def test_every_bubble_of_the_crisis_reply_is_marked():
    messages = sent(
        lambda out: out.send_text_with_buttons("s1", "Sorry.\n\n• 999", [CALL], metadata={"crisis": True})
    )
    assert [m["metadata"]["customCss"] for m in messages] == [CRISIS_CSS, CRISIS_CSS]


def test_ordinary_replies_carry_no_metadata():
    (message,) = sent(lambda out: out.send_text_message("s1", "Hello.", metadata={"topic": "what_is"}))
    assert message == {"text": "Hello."}


@pytest.fixture
def channel(monkeypatch):
    monkeypatch.setenv("WEB_ALLOWED_ORIGINS", "http://127.0.0.1:8080")
    channel = WebchatInput.from_credentials({"session_persistence": True, "metadata_key": "customData"})
    channel.received = mock.AsyncMock()
    channel.blueprint(channel.received)
    return channel


def widget_sends(channel, data):
    asyncio.run(channel.sio.handlers["/"]["user_uttered"]("sid", data))
    return [call.args[0] for call in channel.received.await_args_list]


def test_messages_reach_rasa_cleaned_with_their_custom_data(channel):
    (message,) = widget_sends(channel, {"message": "what is\u200b it?", "session_id": "abc123",
                                        "customData": {"practice": "demo", "page": "/"}})
    assert (message.text, message.sender_id, message.metadata) == ("what is it?", "abc123", {"practice": "demo", "page": "/"})
    assert isinstance(message.output_channel, WebchatOutput)


@pytest.mark.parametrize("data", [
    {"message": "hi", "session_id": "../../etc"},
    {"message": "hi", "session_id": "abc", "customData": {"page": "x" * 5000}},
    {"message": "\u200b", "session_id": "abc"},
])
def test_bad_widget_messages_go_no_further(channel, data):
    assert widget_sends(channel, data) == []


def test_pages_from_other_origins_cannot_connect(channel):
    connect = channel.sio.handlers["/"]["connect"]
    assert asyncio.run(connect("sid", {"HTTP_ORIGIN": "https://elsewhere.example"}, None)) is False
    assert asyncio.run(connect("sid", {"HTTP_ORIGIN": "http://127.0.0.1:8080"}, None)) is True
    assert asyncio.run(connect("sid", {}, None)) is True  # no Origin: not a browser page


def test_a_session_request_joins_the_session_room(channel):
    channel.sio.enter_room = mock.AsyncMock()
    channel.sio.emit = mock.AsyncMock()
    asyncio.run(channel.sio.handlers["/"]["session_request"]("sid", {"session_id": "abc"}))
    channel.sio.enter_room.assert_awaited_once_with("sid", "abc", namespace=None)
    channel.sio.emit.assert_awaited_once_with("session_confirm", "abc", room="sid", namespace=None)


def test_a_new_visitor_gets_a_fresh_session_id(channel):
    channel.sio.enter_room = mock.AsyncMock()
    channel.sio.emit = mock.AsyncMock()
    asyncio.run(channel.sio.handlers["/"]["session_request"]("sid", None))
    session_id = channel.sio.emit.await_args.args[1]
    assert len(session_id) == 32 and channel.sio.enter_room.await_args.args[1] == session_id
