"""Faults the assistant survives: the action server down, a restart mid-conversation, the
database down (PostgreSQL behind a proxy the test cuts), and the lock store (Redis) down.
"""

import json
import threading

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


def rows(db_url, sender, where=""):
    engine = sa.create_engine(db_url)
    with engine.connect() as connection:
        found = connection.execute(
            sa.text(
                f"select type_name, intent_name, data from events where sender_id = :s {where} order by id"
            ),
            {"s": f"rest:{sender}"},  # REST files its conversations under rest: (bot/channels/ids.py)
        ).fetchall()
    engine.dispose()
    return found


def stored_turns(db_url, sender):
    return [
        (json.loads(r.data)["text"], r.intent_name) for r in rows(db_url, sender, "and type_name = 'user'")
    ]


def user_texts(db_url, sender):
    return [text for text, _ in stored_turns(db_url, sender)]


def sessions_started(db_url, sender):
    return len(rows(db_url, sender, "and type_name = 'session_started'"))


def test_with_the_action_server_down_faq_crisis_and_the_phone_line_still_work(tmp_path):
    dead = f"http://127.0.0.1:{free_port()}/webhook"
    env = {"ACTION_SERVER_URL": dead, "JOURNAL_DIR": str(tmp_path / "journal")}
    with running_bot(tmp_path, with_actions=False, extra_env=env) as bot:
        faq = bot.say("no-actions", "can therapy make me feel worse?")
        crisis = bot.say(
            "no-actions", "I want to kill myself"
        )  # utter_crisis, then a custom action that fails
        line = bot.say("no-actions", "can I talk to a real person")
        for replies in (faq, crisis, line):
            assert_replies(replies)
        assert crisis_lines_in(crisis), "the crisis reply is rendered by the Rasa server itself"
        assert practice().phone in texts(line)
        assert [intent for _, intent in stored_turns(bot.db_url, "no-actions")] == [
            "faq",
            "crisis",
            "request_human",
        ]


def test_a_restart_mid_conversation_keeps_the_history_in_sqlite(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'conversations.db'}"
    env = {"JOURNAL_DIR": str(tmp_path / "journal")}
    with running_bot(tmp_path / "first", db_url=db_url, extra_env=env) as bot:
        assert_replies(bot.say("restart-1", "what is psychodynamic therapy?"))
        assert_replies(bot.say("restart-1", "how do i get referred"))
    with running_bot(tmp_path / "second", db_url=db_url, extra_env=env) as bot:
        assert_replies(bot.say("restart-1", "thank you"))
    assert user_texts(db_url, "restart-1") == [
        "what is psychodynamic therapy?",
        "how do i get referred",
        "thank you",
    ]
    # A server that had lost the history would have started a second session.
    assert sessions_started(db_url, "restart-1") == 1


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
            assert crisis_lines_in(say(bot, "I want to end my life")), (
                "a crisis is answered during the outage"
            )
            say(bot, "how do i get referred")
            assert health(bot)[1]["journal_pending"] >= 2

            proxy.restore()
            status, report = health(bot)  # replays the journal
            assert (status, report["status"], report["journal_pending"]) == (200, "ok", 0)
            say(bot, "what happens in a session?")
            assert user_texts(database, "pg-1") == sent, "every turn stored, in order"
            # the first turn in the outage could not read the history, so it began a new session
            sessions = sessions_started(database, "pg-1")
            assert sessions == 2

        # The database is down while the server starts: bot.serve starts all the same (a crisis
        # can be answered from the journal), and carries on once the database is back.
        proxy.cut()
        restore = threading.Timer(15, proxy.restore)
        restore.start()
        with running_bot(tmp_path / "second", db_url=db_url, extra_env=env) as bot:
            restore.join()
            status, report = health(bot)
            assert (status, report["status"], report["database"]) == (200, "ok", "ok")
            say(bot, "thank you")
        assert user_texts(database, "pg-1") == sent
        assert sessions_started(database, "pg-1") == sessions, "the restart carried on the same session"


def test_the_lock_store_down_gives_a_clear_503_with_the_crisis_lines(tmp_path):
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    endpoints["lock_store"] = {"type": "redis", "url": "127.0.0.1", "port": free_port(), "db": 15}
    path = tmp_path / "endpoints.redis-down.yml"
    path.write_text(yaml.safe_dump(endpoints))
    env = {"JOURNAL_DIR": str(tmp_path / "journal")}
    with running_bot(tmp_path, extra_env=env, extra_args=["--endpoints", str(path)]) as bot:
        response = requests.post(
            bot.rest_url, json={"sender": "lock-1", "message": "I want to die"}, timeout=60
        )
        assert response.status_code == 503 and response.headers["Retry-After"]
        assert crisis_lines_in(response.json()), "even the refusal gives the crisis lines"
        status, report = health(bot)
        assert (status, report["status"], report["lock_store"]) == (503, "unavailable", "unreachable")
        assert user_texts(bot.db_url, "lock-1") == [], "nothing half-handled was stored"
