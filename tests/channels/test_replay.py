"""bot/channels/replay.py: a webhook delivery seen once is recognised again, in memory and in Redis."""

import asyncio
import time
import uuid

import pytest

from bot.channels.replay import ReplayGuard

REDIS_URL = "redis://127.0.0.1:6379/0"


def run(coroutine):
    return asyncio.run(coroutine)


def test_in_memory_a_delivery_is_handled_once_per_channel_within_the_window():
    guard = ReplayGuard(window=60)
    assert run(guard.first_time("sms", "SM1")) and not run(guard.first_time("sms", "SM1"))
    assert run(guard.first_time("whatsapp", "SM1")), "another channel's id space"
    assert run(guard.first_time("sms", None)) and run(guard.first_time("sms", None)), "no id: cannot tell"


def test_in_memory_ids_are_forgotten_after_the_window_and_memory_is_bounded():
    guard = ReplayGuard(window=0.2, max_remembered=3)
    assert run(guard.first_time("slack", "Ev1"))
    time.sleep(0.3)
    assert run(guard.first_time("slack", "Ev1"))
    for n in range(10):
        run(guard.first_time("slack", f"flood-{n}"))
    assert len(guard._seen) <= 3


@pytest.fixture
def redis_prefix():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"test-replay-{uuid.uuid4().hex[:8]}:"
    yield prefix
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    client.close()


def test_in_redis_a_delivery_seen_by_one_server_is_a_replay_on_another(redis_prefix):
    async def scenario():
        first, second = (ReplayGuard(REDIS_URL, window=30, key_prefix=redis_prefix) for _ in range(2))
        results = [
            await first.first_time("sms", "SM42"),
            await second.first_time("sms", "SM42"),
            await second.first_time("sms", "SM43"),
        ]
        ttl = await first._redis.ttl(first._key("sms", "SM42"))
        await first._redis.aclose() if hasattr(first._redis, "aclose") else await first._redis.close()
        await second._redis.aclose() if hasattr(second._redis, "aclose") else await second._redis.close()
        return results, ttl

    results, ttl = run(scenario())
    assert results == [True, False, True]
    assert 0 < ttl <= 30, "remembered for the window only"


def test_with_redis_down_messages_are_still_handled_and_memory_catches_replays():
    guard = ReplayGuard("redis://127.0.0.1:1/0", window=30)
    assert run(guard.first_time("sms", "SM7")) and not run(guard.first_time("sms", "SM7"))
