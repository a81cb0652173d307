"""Issue 16 F1/F2/F3 replayed against the running Rasa server with two python-socketio clients.

The attacker knows the victim's conversation id (the old widget printed it to the console)
and tries to join it, to write into it and to drive it with typed commands. Nothing is mocked:
the trained model answers and the conversations are read back from the tracker store.
"""

import json
import threading
import time

import pytest
import socketio

from tests.support.servers import running_bot, stored_events

pytestmark = pytest.mark.model

ORIGIN = "http://127.0.0.1:8080"
WAIT = 30  # seconds for a reply from a busy machine


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    work = tmp_path_factory.mktemp("socket-sessions")
    with running_bot(work, extra_env={"WEB_ALLOWED_ORIGINS": ORIGIN}, with_actions=True) as bot:
        yield bot


class Tab:
    """One socket client, as a browser tab or a script would hold it."""

    def __init__(self, url, origin=ORIGIN):
        self.client = socketio.Client(reconnection=False)
        self.replies, self.confirms = [], []
        self.confirmed = threading.Event()
        self.client.on("bot_uttered", self.replies.append)
        self.client.on("session_confirm", self._confirm)
        headers = {"Origin": origin} if origin else {}
        self.client.connect(
            url, headers=headers, transports=["polling"], socketio_path="/socket.io/", wait_timeout=10
        )

    def _confirm(self, data):
        if isinstance(data, str):  # Rasa's own channel confirms with the bare id it was given
            data = {"session_id": data, "resume_token": None, "resumed": None}
        self.confirms.append(data)
        self.confirmed.set()

    def session(self, **request):
        self.confirmed.clear()
        self.client.emit("session_request", request)
        assert self.confirmed.wait(WAIT), "no session_confirm"
        return self.confirms[-1]

    def say(self, text, **extra):
        """As the widget sends it: with the id this socket was confirmed, unless told otherwise."""
        own = {"session_id": self.confirms[-1]["session_id"]} if self.confirms else {}
        self.client.emit("user_uttered", {"message": text, **own, **extra})

    def wait_for_replies(self, count=1):
        deadline = time.monotonic() + WAIT
        while len(self.replies) < count and time.monotonic() < deadline:
            time.sleep(0.2)
        return self.replies

    def close(self):
        self.client.disconnect()


def user_texts(bot, conversation_id):
    return [
        json.loads(row.data).get("text")
        for row in stored_events(bot.db_url, conversation_id)
        if row.type_name == "user"
    ]


def test_a_second_socket_cannot_join_or_write_into_a_visitors_conversation(bot):
    victim, attacker = Tab(bot.rasa_url), Tab(bot.rasa_url)
    try:
        mine = victim.session()
        # F1: the attacker asks for the victim's conversation by its id and is given its own.
        theirs = attacker.session(session_id=mine["session_id"])
        assert theirs["session_id"] != mine["session_id"]
        assert mine["session_id"].startswith("web:") and mine["resume_token"]
        forged = mine["session_id"][len("web:") :] + ".forged-signature"
        assert attacker.session(resume_token=forged)["session_id"] != mine["session_id"]

        # The victim's crisis reply reaches the victim only.
        victim.say("I want to end my life")
        assert victim.wait_for_replies(), "the victim is answered"
        assert any((r.get("metadata") or {}).get("crisis") for r in victim.replies)
        time.sleep(2)
        assert attacker.replies == [], "nothing the bot says to the victim reaches another socket"

        # F2: a message naming the victim's conversation is refused and stored nowhere.
        attacker.say("attacker was here", session_id=mine["session_id"])
        time.sleep(3)
        assert "attacker was here" not in user_texts(bot, mine["session_id"])
        assert attacker.replies == [] and len(victim.replies) == len(victim.wait_for_replies())
    finally:
        victim.close()
        attacker.close()


def test_the_resume_token_resumes_the_conversation_in_the_same_tab(bot):
    tab = Tab(bot.rasa_url)
    first = tab.session()
    tab.close()
    reloaded = Tab(bot.rasa_url)
    try:
        again = reloaded.session(resume_token=first["resume_token"])
        assert (again["session_id"], again["resumed"]) == (first["session_id"], True)
        reloaded.say("what is psychodynamic therapy?")
        assert reloaded.wait_for_replies()
        assert "what is psychodynamic therapy?" in user_texts(bot, first["session_id"])
    finally:
        reloaded.close()


def test_a_client_without_an_origin_is_refused(bot):
    with pytest.raises(socketio.exceptions.ConnectionError):
        Tab(bot.rasa_url, origin=None)
    with pytest.raises(socketio.exceptions.ConnectionError):
        Tab(bot.rasa_url, origin="https://elsewhere.example")


def test_typed_commands_are_words(bot):
    """F3: /restart typed is text (no restart stored); /greet is a payload only when offered."""
    tab = Tab(bot.rasa_url)
    try:
        session = tab.session()["session_id"]
        tab.say("/greet")
        assert tab.wait_for_replies()
        tab.say("/restart")
        tab.wait_for_replies(len(tab.replies) + 1)
        time.sleep(1)
        events = stored_events(bot.db_url, session)
        assert "restart" not in [row.type_name for row in events]
        texts = user_texts(bot, session)
        assert texts[:1] == ["/greet"] and "restart" in texts and "/restart" not in texts
    finally:
        tab.close()
