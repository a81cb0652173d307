"""A small version of `make bench-load`: 20 conversations of 5 messages at once, all answered, all stored.

Written here rather than imported from bench/ (tests never import the benchmarks): each
conversation waits for its reply before its next message, as a person does.
"""

import asyncio

import aiohttp
import pytest

pytestmark = pytest.mark.model

MESSAGES = [
    "hello",
    "what is psychodynamic therapy?",
    "I don't see the point any more",
    "how do I get referred",
    "thanks",
]  # an FAQ, a crisis (calls the action server), small talk
CONVERSATIONS = 20


async def conversation(session, url, sender):
    outcomes = []
    for text in MESSAGES:
        async with session.post(url, json={"sender": sender, "message": text}) as response:
            replies = await response.json() if response.status == 200 else []
            outcomes.append(
                (response.status, bool(replies) and all(r.get("text") or r.get("buttons") for r in replies))
            )
    return outcomes


async def load(url):
    timeout = aiohttp.ClientTimeout(total=300)
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=CONVERSATIONS), timeout=timeout
    ) as session:
        return await asyncio.gather(
            *(conversation(session, url, f"load-test-{n}") for n in range(CONVERSATIONS))
        )


def test_concurrent_conversations_are_all_answered_and_all_stored(default_bot):
    results = asyncio.run(load(default_bot.rest_url))
    outcomes = [outcome for conversation in results for outcome in conversation]
    assert outcomes == [(200, True)] * CONVERSATIONS * len(MESSAGES), "every message answered, none empty"
    for n in range(CONVERSATIONS):
        events = default_bot.stored(f"rest:load-test-{n}")
        users = [row.type_name for row in events if row.type_name == "user"]
        bots = [row.type_name for row in events if row.type_name == "bot"]
        assert len(users) == len(MESSAGES) and len(bots) >= len(MESSAGES), (n, len(users), len(bots))
