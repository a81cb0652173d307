"""Bad input over the website widget's socket (socket.io, bot/channels/widget.py).

What holds today: no payload stops the server or the socket, a normal message is still
answered, and odd session ids are refused (the channel applies the REST channel's input
rules), malformed payloads (not an object, a non-text message, customData that is not
JSON) are dropped without a traceback, and the MAX_MESSAGE_CHARS cap answers politely.
docs/reliability.md.
"""

import json
import threading
import time

import pytest
import requests
import socketio
import sqlalchemy as sa

from bot.channels.widget import PREFIX as SESSION_PREFIX

pytestmark = pytest.mark.model

BAD_PAYLOADS = {
    "empty message": {"message": ""},
    "whitespace message": {"message": "  \n "},
    "zero-width message": {"message": "\u200b\u200b"},
    "null message": {"message": None},
    "number as message": {"message": 42},
    "list as message": {"message": ["hi"]},
    "no message": {},
    "metadata not JSON": {"message": "hello", "customData": "{not json"},
    "string payload": "hello",
    "list payload": ["hello"],
    "no session id": {"message": "hello", "session_id": None},
}
BAD_SESSIONS = ["../../etc/passwd", "s" * 10_000, "a b\nc"]


class Widget:
    """A socket.io client doing what demo/widget.js does: ask for a session, then send messages
    under the conversation id the server issued (from the demo page's origin, the default)."""

    def __init__(self, url):
        self.replies, self.session_id = [], None
        self.confirmed = threading.Event()
        self.client = socketio.Client(reconnection=False)
        self.client.on("bot_uttered", self.replies.append)
        self.client.on("session_confirm", self._confirm)
        self.client.connect(
            url, socketio_path="/socket.io", wait_timeout=30, headers={"Origin": "http://127.0.0.1:8080"}
        )
        self.client.emit("session_request", {})
        assert self.confirmed.wait(30)

    def _confirm(self, confirm):
        self.session_id = confirm["session_id"]
        self.confirmed.set()

    def send(self, payload, wait=3.0):
        self.replies.clear()
        if isinstance(payload, dict):
            payload = {"session_id": self.session_id, **payload}
        self.client.emit("user_uttered", payload)
        time.sleep(wait)
        return list(self.replies)


@pytest.fixture(scope="module")
def widget(default_bot):
    client = Widget(default_bot.rasa_url)
    yield client
    client.client.disconnect()


def tracebacks(bot):
    return sum(path.read_text(errors="replace").count("Traceback") for path in bot.log_dir.glob("rasa.log"))


def test_no_payload_stops_the_server_or_the_socket(default_bot, widget):
    for payload in BAD_PAYLOADS.values():
        widget.send(payload, wait=1.0)
    for session in BAD_SESSIONS:
        widget.send({"message": "hello", "session_id": session}, wait=1.0)
    assert widget.client.connected
    assert any(
        reply.get("text") for reply in widget.send({"message": "what is psychodynamic therapy?"}, wait=8)
    )
    assert requests.get(f"{default_bot.rasa_url}/webhooks/rest/health", timeout=10).json()["status"] == "ok"


def stored_senders(bot):
    engine = sa.create_engine(bot.db_url)
    try:
        with engine.connect() as connection:
            return {row[0] for row in connection.execute(sa.text("select distinct sender_id from events"))}
    finally:
        engine.dispose()


def user_texts(bot, conversation):
    return [
        json.loads(data).get("text") for type_name, data in bot.stored(conversation) if type_name == "user"
    ]


def test_odd_session_ids_are_not_stored(default_bot, widget):
    """A message naming a session the socket does not hold is refused: filed under no
    conversation, neither as the odd id (raw, namespaced ``web:`` or pseudonymised) nor as
    the socket's own conversation."""
    widget.send({"message": "hello"}, wait=4.0)
    own = default_bot.storage_id(widget.session_id)
    assert own in stored_senders(default_bot), (
        "the widget's own conversation is stored (the check can see it)"
    )
    own_before = user_texts(default_bot, widget.session_id)
    others_before = stored_senders(default_bot) - {own}

    for session in BAD_SESSIONS:
        widget.send({"message": "hello", "session_id": session}, wait=2.0)

    senders = stored_senders(default_bot)
    for session in BAD_SESSIONS:
        forms = {session, SESSION_PREFIX + session, default_bot.storage_id(SESSION_PREFIX + session)}
        assert not forms & senders, f"{session[:20]!r} was stored as a conversation id"
        assert not any(session in sender for sender in senders), f"{session[:20]!r} is part of a stored id"
    assert senders - {own} == others_before, "no new conversation was stored"
    assert user_texts(default_bot, widget.session_id) == own_before, (
        "nor filed under the widget's conversation"
    )


def test_malformed_messages_raise_nothing(default_bot, widget):
    before = tracebacks(default_bot)
    for name in (
        "empty message",
        "zero-width message",
        "number as message",
        "string payload",
        "metadata not JSON",
    ):
        widget.send(BAD_PAYLOADS[name], wait=2.0)
    assert tracebacks(default_bot) == before


def test_a_very_long_message_is_answered_politely(widget):
    replies = widget.send({"message": "tell me about therapy " * 500}, wait=8.0)
    assert any("too long" in reply.get("text", "") for reply in replies)
