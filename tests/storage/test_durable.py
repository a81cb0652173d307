"""The tracker store keeps every turn through a database outage: journaled, then replayed in order.

The outage is real: PostgreSQL behind a proxy that the test cuts (tests/support/tcp_proxy.py).
"""

import asyncio
import json
import os

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from bot.storage.durable import DurableTrackerStore, with_connect_timeout
from tests.support.postgres import scratch_database
from tests.support.tcp_proxy import TcpProxy

DOMAIN = Domain.load("domain.yml")


@pytest.fixture
def database():
    with scratch_database("durable") as url:
        yield url


@pytest.fixture
def proxy():
    with TcpProxy(5432) as running:
        yield running


def through(proxy, url):
    return url.replace(":5432/", f":{proxy.port}/")


def store_for(url, journal_dir):
    return DurableTrackerStore(domain=DOMAIN, db_url=url, journal_dir=str(journal_dir))


async def turn(store, sender, text):
    """One turn as Rasa's processor does it: read (or start) the conversation, add to it, save."""
    tracker = await store.get_or_create_tracker(sender, append_action_listen=False)
    tracker.update(UserUttered(text, {"name": "faq", "confidence": 1.0}))
    tracker.update(BotUttered(f"answer to {text}"))
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)


def stored(url, sender):
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("select type_name, data from events where sender_id = :s order by id"), {"s": sender}
        ).fetchall()
    engine.dispose()
    return [(row.type_name, json.loads(row.data).get("text")) for row in rows]


def texts(rows, kind):
    return [text for type_name, text in rows if type_name == kind]


def test_an_outage_loses_no_turn_and_keeps_the_order(database, proxy, tmp_path):
    store = store_for(through(proxy, database), tmp_path / "journal")

    async def conversation():
        await turn(store, "alice", "before")
        proxy.cut()
        await turn(store, "alice", "during one")
        await turn(store, "alice", "during two")  # read back from the journal, not the database
        await turn(store, "bob", "during, email bob@example.com")
        down = await store.health()
        proxy.restore()
        up = await store.health()  # replays
        await turn(store, "alice", "after")
        return down, up

    down, up = asyncio.run(conversation())
    assert down == {"database": "unreachable", "journal_pending": 3}
    assert up == {"database": "ok", "journal_pending": 0}
    alice = stored(database, "alice")
    assert texts(alice, "user") == ["before", "during one", "during two", "after"]
    assert texts(alice, "bot") == [
        "answer to before",
        "answer to during one",
        "answer to during two",
        "answer to after",
    ]
    assert texts(stored(database, "bob"), "user") == ["during, email [email]"], (
        "journaled turns are redacted too"
    )
    assert all(p.stat().st_size == 0 for p in (tmp_path / "journal").glob("*/*.jsonl")), "journal emptied"


def test_the_journal_of_a_server_that_died_is_replayed_by_another(database, proxy, tmp_path):
    journal_dir = tmp_path / "journal"
    first = store_for(through(proxy, database), journal_dir)
    second = store_for(through(proxy, database), journal_dir)

    async def scenario():
        proxy.cut()
        await turn(first, "carol", "said while the database was down")
        proxy.restore()
        assert (await second.health())["journal_pending"] == 0, "a live server's journal is its own"
        os.close(first.journal._fd)  # the first server dies; its lock goes with it
        return await second.health()

    assert asyncio.run(scenario()) == {"database": "ok", "journal_pending": 0}
    assert texts(stored(database, "carol"), "user") == ["said while the database was down"]
    assert not list(journal_dir.glob("*/*.jsonl"))


def test_a_replayed_entry_is_not_stored_twice(database, tmp_path):
    store = store_for(database, tmp_path / "journal")

    async def scenario():
        await turn(store, "dan", "hello")
        tracker = await store.retrieve("dan")
        store.journal.append("dan", [event.as_dict() for event in tracker.events])  # as if a crash left it
        return await store.replay_journal()

    assert asyncio.run(scenario()) == 1
    assert texts(stored(database, "dan"), "user") == ["hello"]


def test_postgresql_urls_get_a_connect_timeout():
    assert with_connect_timeout("postgresql://u@h/db").query["connect_timeout"] == "5"
    assert with_connect_timeout("postgresql://u@h/db?connect_timeout=2").query["connect_timeout"] == "2"
    assert not with_connect_timeout("sqlite:///x.db").query
