"""Faults the assistant survives: the action server down, a restart mid-conversation, the
database down (PostgreSQL behind a proxy the test cuts), and the lock store (Redis) down.
"""

import json
import threading
import time

import pytest
import requests
import sqlalchemy as sa
import yaml

from bot.settings import practice
from tests.support.postgres import scratch_database
from tests.support.servers import ROOT, free_port, running_bot
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.model


def texts(replies):
    return " ".join(reply.get("text", "") for reply in replies)


def assert_replies(replies):
    assert replies and all(reply.get("text") or reply.get("buttons") for reply in replies), "no empty replies"


def crisis_lines_in(replies):
    return all(n in texts(replies) for n in (practice().crisis_emergency, practice().crisis_samaritans))


def health(bot):
    response = requests.get(f"{bot.rasa_url}/webhooks/rest/health", timeout=30)
    return response.status_code, response.json()


def user_texts(db_url, sender):
    engine = sa.create_engine(db_url)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("select data from events where sender_id = :s and type_name = 'user' order by id"), {"s": sender}
        ).fetchall()
    engine.dispose()
    return [json.loads(row.data)["text"] for row in rows]


def test_with_the_action_server_down_faq_crisis_and_the_phone_line_still_work(tmp_path):
    dead = f"http://127.0.0.1:{free_port()}/webhook"
    env = {"ACTION_SERVER_URL": dead, "JOURNAL_DIR": str(tmp_path / "journal")}
    with running_bot(tmp_path, with_actions=False, extra_env=env) as bot:
        faq = bot.say("no-actions", "can therapy make me feel worse?")
        assert "temporarily" in texts(faq)
        crisis = bot.say("no-actions", "I want to kill myself")
        assert crisis_lines_in(crisis), "the crisis reply is rendered by the Rasa server itself"
        line = bot.say("no-actions", "can I talk to a real person")
        assert practice().phone in texts(line)
        unsure = bot.say("no-actions", "blorp fizzle wibble")  # utter_not_sure, then a custom action that fails
        assert practice().phone in texts(unsure)
        for replies in (faq, crisis, line, unsure):
            assert_replies(replies)
        intents = user_intents(bot.db_url, "no-actions")
        assert "crisis" in intents, "the crisis turn is stored as crisis even though action_flag_crisis failed"


def user_intents(db_url, sender):
    engine = sa.create_engine(db_url)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("select intent_name from events where sender_id = :s and type_name = 'user'"), {"s": sender}
        ).fetchall()
    engine.dispose()
    return [row.intent_name for row in rows]


def test_a_restart_mid_conversation_keeps_the_history_in_sqlite(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'conversations.db'}"
    env = {"JOURNAL_DIR": str(tmp_path / "journal")}
    with running_bot(tmp_path / "first", db_url=db_url, extra_env=env) as bot:
        assert_replies(bot.say("restart-1", "what is psychodynamic therapy?"))
        assert_replies(bot.say("restart-1", "blorp fizzle wibble"))  # not understood once
    with running_bot(tmp_path / "second", db_url=db_url, extra_env=env) as bot:
        second = bot.say("restart-1", "zzqx vlorp")
        # "not understood twice in a row" only fires if the first miss survived the restart
        assert "couldn't answer" in texts(second) and practice().phone in texts(second)
    assert user_texts(db_url, "restart-1") == ["what is psychodynamic therapy?", "blorp fizzle wibble", "zzqx vlorp"]


def test_postgresql_down_is_reported_journaled_and_replayed_and_a_restart_keeps_everything(tmp_path):
    """The outage and the restart on one database: nothing said at any point goes missing."""
    sent = []

    def say(bot, text):
        replies = bot.say("pg-1", text)
        sent.append(text)
        assert_replies(replies)
        return replies

    with scratch_database("faults") as database, TcpProxy(5432) as proxy:
        db_url = database.replace(":5432/", f":{proxy.port}/")
        env = {"JOURNAL_DIR": str(tmp_path / "journal")}
        with running_bot(tmp_path / "first", db_url=db_url, extra_env=env) as bot:
            say(bot, "hello")
            status, report = health(bot)
            assert (status, report["status"], report["database"]) == (200, "ok", "ok")

            proxy.cut()
            status, report = health(bot)
            assert (status, report["status"], report["database"]) == (200, "degraded", "unreachable")
            assert crisis_lines_in(say(bot, "I want to end my life")), "a crisis is answered during the outage"
            say(bot, "how do i get referred")
            assert health(bot)[1]["journal_pending"] >= 2

            proxy.restore()
            status, report = health(bot)  # replays the journal
            assert (status, report["status"], report["journal_pending"]) == (200, "ok", 0)
            say(bot, "blorp fizzle wibble")
            assert user_texts(database, "pg-1") == sent, "every turn stored, in order"

        proxy.cut()  # the database is down while the server starts: it waits, then starts
        threading.Timer(15, proxy.restore).start()
        started = time.monotonic()
        with running_bot(tmp_path / "second", db_url=db_url, extra_env=env) as bot:
            assert time.monotonic() - started >= 15
            second = say(bot, "zzqx vlorp")
            assert practice().phone in texts(second), "the conversation carried on where it was"
        assert user_texts(database, "pg-1") == sent


def test_the_lock_store_down_gives_a_clear_503_with_the_crisis_lines(tmp_path):
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    endpoints["lock_store"] = {"type": "redis", "url": "127.0.0.1", "port": free_port(), "db": 15}
    path = tmp_path / "endpoints.redis-down.yml"
    path.write_text(yaml.safe_dump(endpoints))
    env = {"JOURNAL_DIR": str(tmp_path / "journal")}
    with running_bot(tmp_path, extra_env=env, extra_args=["--endpoints", str(path)]) as bot:
        response = requests.post(bot.rest_url, json={"sender": "lock-1", "message": "I want to die"}, timeout=60)
        assert response.status_code == 503 and response.headers["Retry-After"]
        assert crisis_lines_in(response.json()), "even the refusal gives the crisis lines"
        status, report = health(bot)
        assert (status, report["status"], report["lock_store"]) == (503, "unavailable", "unreachable")
        assert user_texts(bot.db_url, "lock-1") == [], "nothing half-handled was stored"
