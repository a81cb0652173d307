"""Two Rasa servers, one conversation: the production set-up (endpoints.production.yml).

Both servers share a PostgreSQL database (made and dropped here) and a Redis lock store
(a database number of this test's own, flushed afterwards). One visitor's messages go to
A and B in turn, as a load balancer without sticky sessions would send them: the history
and slots must follow the visitor, and every turn must be stored exactly once.
"""

import concurrent.futures
import contextlib
import json
import os
import secrets
import uuid

import pytest
import redis
import requests

from tests.support.postgres import scratch_database
from tests.support.servers import running_bot

pytestmark = pytest.mark.model

REDIS_DB = int(os.environ.get("SCALE_TEST_REDIS_DB", "12"))

TURNS = [  # alternately to A and B; the crisis turn (index 4) goes to A
    "hello",
    "what is psychodynamic therapy?",
    "how long does the therapy last",
    "what happens in a session",
    "I want to kill myself",
    "can therapy make me feel worse?",
    "is it different from CBT",
    "how do I get referred",
    "does it work for children",
    "what does the research say",
    "thank you",
    "bye",
]


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory):
    client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"no Redis at 127.0.0.1:6379: {error}")
    env = {
        "REDIS_HOST": "127.0.0.1",
        "REDIS_PORT": "6379",
        "REDIS_DB": str(REDIS_DB),
        # as in production, every server pseudonymises ids with the same key (docs/security.md)
        "CONVERSATION_ID_KEY": secrets.token_urlsafe(32),
    }
    work = tmp_path_factory.mktemp("scale")
    try:
        with scratch_database("scale") as db_url, contextlib.ExitStack() as stack:
            servers = [
                stack.enter_context(
                    running_bot(
                        work / name,
                        db_url=db_url,
                        endpoints="endpoints.production.yml",
                        extra_env={**env, "VAR_DIR": str(work / name / "var")},  # two machines, two disks
                        extra_args=["--enable-api"],  # for reading the tracker back
                    )
                )
                for name in ("a", "b")
            ]
            yield servers, db_url
    finally:
        client.flushdb()
        client.close()


def tracker(bot, sender):
    # REST files its conversations under rest: (bot/channels/ids.py)
    response = requests.get(f"{bot.rasa_url}/conversations/rest:{sender}/tracker", timeout=30)
    response.raise_for_status()
    return response.json()


def paragraphs(texts):
    """Rasa's REST channel sends some responses paragraph by paragraph, others whole (with
    buttons): compare paragraphs, which both sides agree on."""
    return [part for text in texts for part in text.strip().split("\n\n") if part]


def reply_texts(replies):
    return paragraphs(reply["text"] for reply in replies if reply.get("text"))


def bot_texts(rows):
    """The bot's turns as stored."""
    return paragraphs(json.loads(row.data).get("text") or "" for row in rows if row.type_name == "bot")


def test_one_conversation_alternating_between_two_servers(two_servers):
    (a, b), db_url = two_servers
    sender = f"scale-{uuid.uuid4().hex[:8]}"
    received = []
    for turn, text in enumerate(TURNS):
        server, other = (a, b) if turn % 2 == 0 else (b, a)
        replies = server.say(sender, text)
        assert replies, f"no reply to {text!r}"
        received += reply_texts(replies)
        if text == "I want to kill myself":
            # Set on A, visible on B: the slot travelled through PostgreSQL.
            assert tracker(other, sender)["slots"]["crisis_flagged"] is True
        # The other server sees the whole history so far: every user turn, in order.
        seen = [e["text"] for e in tracker(other, sender)["events"] if e["event"] == "user"]
        assert seen == TURNS[: turn + 1]

    rows = a.stored(f"rest:{sender}")
    assert [r.type_name for r in rows].count("user") == len(TURNS), "a user turn was lost or duplicated"
    assert bot_texts(rows) == received, "a bot reply was lost, duplicated or reordered"


def test_simultaneous_messages_to_both_servers_take_turns(two_servers):
    """Two messages of one conversation at the same moment, one per server: the Redis lock
    makes the servers take turns, so both turns are stored once and whole."""
    (a, b), db_url = two_servers
    sender = f"scale-{uuid.uuid4().hex[:8]}"
    pairs = [
        ("hello", "what is psychodynamic therapy?"),
        ("how long does it last", "thanks"),
        ("how do I get referred", "bye"),
    ]
    received = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for first, second in pairs:
            futures = [pool.submit(a.say, sender, first), pool.submit(b.say, sender, second)]
            received += [text for f in futures for text in reply_texts(f.result())]

    rows = a.stored(f"rest:{sender}")
    types = [r.type_name for r in rows]
    assert types.count("user") == 2 * len(pairs)
    assert sorted(bot_texts(rows)) == sorted(received), "a bot reply was lost or duplicated"
    # Each user turn is followed by its own replies before the next user turn starts.
    events = tracker(a, sender)["events"]
    user_positions = [i for i, e in enumerate(events) if e["event"] == "user"]
    for start, end in zip(user_positions, user_positions[1:] + [len(events)], strict=True):
        assert any(e["event"] == "bot" for e in events[start:end]), "turns interleaved"
