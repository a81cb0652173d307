"""Issue 16: the attacks that worked on the running product, replayed against it (bot.serve,
the action server, SQLite), each with what must now hold. Findings F2 (REST side), F3, F7,
F8, F9, F11, F13; F12 is in tests/channels/test_twilio.py and test_slack.py (the platforms'
fixture). docs/security.md lists them all.
"""

from __future__ import annotations

import json
import socket
import sqlite3
from pathlib import Path

import pytest
import requests

from tests.support.servers import running_bot

pytestmark = pytest.mark.model

REST_TOKEN = "rest-integration-token-for-the-tests-0123456789"
PERSONAL = (
    "my name is Jane Smithson, I live at 12 Acacia Avenue, born 12/03/1985, NI QQ 12 34 56 C, "
    "call 447700900123 or 7700 900123 or +353 87 123 4567, NHS 943.476.5919 or 943 4765 919, "
    "email jane dot smithson at gmail dot com"
)
SECRETS = (
    "Jane",
    "Smithson",
    "Acacia",
    "12/03/1985",
    "QQ 12",
    "447700900123",
    "7700 900123",
    "+353",
    "943.476.5919",
    "943 4765 919",
    "gmail",
    "smithson",
)


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    work = tmp_path_factory.mktemp("attacks")
    env = {
        "RATE_LIMIT_PER_MINUTE": "0",
        "JOURNAL_DIR": str(work / "journal"),
        "REST_CHANNEL_TOKEN": REST_TOKEN,
        "RASA_TELEMETRY_ENABLED": None,
    }  # unset: what the product does by default
    with running_bot(work, extra_env=env) as running:
        yield running


def post(bot, payload, token=REST_TOKEN):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(bot.rest_url, json=payload, headers=headers, timeout=60)


def rows(bot, sql, *args):
    """Straight from the SQLite file, as an attacker with the file would read it."""
    path = bot.db_url.replace("sqlite:///", "")
    with sqlite3.connect(path) as db:
        return db.execute(sql, args).fetchall()


def events_of(bot, conversation):
    return [(row.type_name, json.loads(row.data)) for row in bot.stored(conversation)]


# --- F2: REST cannot address another channel's conversations; it needs its token --------


def test_rest_without_its_token_is_refused_and_nothing_is_stored(bot):
    for token in (None, "wrong-token"):
        response = post(bot, {"sender": "no-token", "message": "hello"}, token=token)
        assert response.status_code == 401
    assert not rows(bot, "select 1 from events where sender_id like '%no-token%'")


def test_rest_cannot_write_into_a_widget_or_whatsapp_conversation(bot):
    widget_session = "web:3f9c2a7e5b1d4c8a9e0f1a2b3c4d5e6f"
    assert post(bot, {"sender": widget_session, "message": "hello"}).status_code == 200
    assert post(bot, {"sender": "whatsapp:+447700900123", "message": "hello"}).status_code == 200
    senders = [row[0] for row in rows(bot, "select distinct sender_id from events")]
    assert widget_session not in senders and f"rest:{widget_session}" in senders
    assert not [s for s in senders if s.startswith(("web:", "twilio:", "whatsapp:"))]
    assert events_of(bot, "rest:whatsapp:+447700900123"), "stored, in the REST namespace"


def test_a_rest_reply_names_the_clients_own_sender(bot):
    replies = bot.say("reply-to-me", "hello")
    assert replies and {r["recipient_id"] for r in replies} == {"reply-to-me"}


# --- F3: typed commands are text; only offered payloads are payloads ----------------------


@pytest.mark.parametrize(
    "command, forbidden",
    [
        ("/restart", "restart"),
        ("/back", "rewind"),
        ("/session_start", "session_started"),
    ],
)
def test_a_typed_command_is_only_text(bot, command, forbidden):
    sender = f"typed{command.replace('/', '-')}"
    bot.say(sender, "hello")
    before = [t for t, _ in events_of(bot, f"rest:{sender}")].count(forbidden)
    replies = bot.say(sender, command)
    stored = events_of(bot, f"rest:{sender}")
    assert [t for t, _ in stored].count(forbidden) == before, f"{command} typed must not act"
    last_user = [d for t, d in stored if t == "user"][-1]
    assert last_user["text"] == command.lstrip("/") and not last_user["text"].startswith("/")
    assert replies, "a typed command still gets a reply"


def test_typed_crisis_without_risk_words_is_not_a_crisis_and_with_them_it_is(bot):
    bot.say("typed-crisis", "/crisis")
    flagged = [
        d
        for t, d in events_of(bot, "rest:typed-crisis")
        if t == "slot" and d.get("name") == "crisis_flagged" and d.get("value")
    ]
    assert not flagged, "no risk words: no crisis flag"
    bot.say("typed-crisis-risk", "/crisis i want to end my life")
    flagged = [
        d
        for t, d in events_of(bot, "rest:typed-crisis-risk")
        if t == "slot" and d.get("name") == "crisis_flagged" and d.get("value")
    ]
    assert flagged, "risk words after a slash are still read for risk"


def test_typed_faq_gets_a_reply(bot):
    assert any(r.get("text") for r in bot.say("typed-faq", "/faq"))


# --- F7, F8, F9: what the database holds ------------------------------------------------


def test_personal_data_and_its_shape_are_not_in_the_database(bot):
    bot.say("redact-me", PERSONAL)
    [(data,)] = rows(bot, "select data from events where sender_id = 'rest:redact-me' and type_name = 'user'")
    for secret in SECRETS:
        assert secret not in data, secret
    stored = json.loads(data)
    text = stored["parse_data"]["text"]
    assert stored["text"] == text and "[name]" in text and "[email]" in text
    words = [[m.start(), m.end()] for m in __import__("re").finditer(r"\S+", text)]
    assert stored["parse_data"].get("text_tokens") in (None, words), "offsets are of the redacted text"


def test_metadata_is_stored_only_through_the_allow_list(bot):
    metadata = {"email": "jane.doe@example.com", "phone": "07700 900123", "practice": "the-practice"}
    assert post(bot, {"sender": "with-metadata", "message": "hello", "metadata": metadata}).status_code == 200
    data = " ".join(d for (d,) in rows(bot, "select data from events where sender_id = 'rest:with-metadata'"))
    assert "jane.doe" not in data and "07700" not in data
    assert '"practice": "the-practice"' in data


def test_personal_conversation_ids_are_pseudonymised_and_the_console_still_finds_them(bot):
    bot.say("jane.doe@example.com", "hello")
    everything = " ".join(s + d for s, d in rows(bot, "select sender_id, data from events"))
    assert "jane.doe" not in everything and "447700900123" not in everything
    stored_as = bot.storage_id("rest:jane.doe@example.com")
    assert stored_as.startswith("rest:~")
    assert bot.say("jane.doe@example.com", "what is psychodynamic therapy?"), "the conversation continues"

    import sqlalchemy as sa

    from console.db import conversations, migrations, retention

    engine = sa.create_engine(bot.db_url)
    migrations.migrate(engine)
    with engine.begin() as conn:
        assert len(conversations.messages(conn, stored_as, 0.5)) >= 2, "the console reads it by its stored id"
        assert retention.delete_conversations(conn, [stored_as]) == 1
    assert not rows(bot, "select 1 from events where sender_id = ?", stored_as), "erasure finds it"
    engine.dispose()


# --- F11: the action server -----------------------------------------------------------------


def forged_call(sender="victim"):
    return {
        "next_action": "action_flag_crisis",
        "sender_id": sender,
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": sender,
            "slots": {},
            "latest_message": {},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": None,
        },
    }


def test_a_forged_action_call_without_the_secret_is_refused(bot):
    assert requests.post(f"{bot.action_url}/webhook", json=forged_call(), timeout=10).status_code == 403
    wrong = {"X-Action-Token": "x" * 40}
    assert (
        requests.post(f"{bot.action_url}/webhook", json=forged_call(), headers=wrong, timeout=10).status_code
        == 403
    )
    right = {"X-Action-Token": bot.env["ACTION_SERVER_TOKEN"]}
    answer = requests.post(f"{bot.action_url}/webhook", json=forged_call(), headers=right, timeout=10)
    assert answer.status_code == 200, "the check is the secret, not a broken route"
    assert requests.get(f"{bot.action_url}/health", timeout=10).status_code == 200


def outside_address():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: only picks the outward interface
            return probe.getsockname()[0]
        except OSError:
            return None


def test_the_action_server_listens_on_loopback_only(bot):
    address, port = outside_address(), int(bot.action_url.rsplit(":", 1)[1])
    if not address or address.startswith("127."):
        pytest.skip("this machine has no non-loopback address to try")
    with pytest.raises(OSError):
        socket.create_connection((address, port), timeout=3).close()


# --- F13: telemetry off, database private ---------------------------------------------------


def test_the_served_process_reports_telemetry_off(bot):
    bot.say("telemetry", "hello")
    assert "Rasa telemetry: off" in (bot.log_dir / "rasa.log").read_text(errors="replace")


def test_the_database_file_is_private(bot):
    bot.say("file-mode", "hello")
    path = Path(bot.db_url.replace("sqlite:///", ""))
    for file in [path, *path.parent.glob(path.name + "-*")]:
        assert file.stat().st_mode & 0o777 == 0o600, file
    assert (Path(bot.env["VAR_DIR"]) / "conversation-id.key").stat().st_mode & 0o777 == 0o600
