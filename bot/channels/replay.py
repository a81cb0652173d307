"""Webhook deliveries already handled: a replayed, validly signed request is not handled twice.

A signature proves who sent a request, not that it is new: anyone who sees one (a proxy log,
a leaked capture) can post it again, and Slack's five-minute timestamp window leaves time
to. So each delivery's id (Twilio's ``MessageSid``, Slack's ``event_id``, or for a button
click the signature itself) is remembered for ``WINDOW_SECONDS``: in Redis when one is
configured (``REDIS_URL``, else the lock store's ``REDIS_HOST``/``REDIS_PORT``/``REDIS_DB``),
so every server behind the load balancer sees it, otherwise in this process's memory. Ids
are stored hashed (a Twilio id is not personal, but the key names a channel and a delivery).
If Redis cannot be reached the message is handled (a crisis message must not be dropped)
and the memory copy still catches replays to this server.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import OrderedDict
from functools import lru_cache
from typing import Optional

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 24 * 60 * 60  # Twilio retries for hours at most; Slack signatures expire in 5 minutes
MAX_REMEMBERED = 100_000  # in memory: oldest forgotten first
KEY_PREFIX = "therapybot:webhook-seen:"


class ReplayGuard:
    def __init__(
        self,
        redis_url: str = "",
        window: float = WINDOW_SECONDS,
        key_prefix: str = KEY_PREFIX,
        max_remembered: int = MAX_REMEMBERED,
    ) -> None:
        self.window, self.key_prefix, self.max_remembered = window, key_prefix, max_remembered
        self._seen: "OrderedDict[str, float]" = OrderedDict()
        self._redis = None
        if redis_url:
            import redis.asyncio as aioredis

            self._redis = aioredis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)

    def _key(self, channel: str, delivery_id: str) -> str:
        return self.key_prefix + hashlib.sha256(f"{channel}\0{delivery_id}".encode()).hexdigest()[:40]

    def _first_in_memory(self, key: str) -> bool:
        now = time.monotonic()
        while self._seen and next(iter(self._seen.values())) < now:
            self._seen.popitem(last=False)
        if key in self._seen:
            return False
        self._seen[key] = now + self.window
        while len(self._seen) > self.max_remembered:
            self._seen.popitem(last=False)
        return True

    async def first_time(self, channel: str, delivery_id: Optional[str]) -> bool:
        """True the first time ``delivery_id`` is seen on ``channel`` within the window."""
        if not delivery_id:
            return True  # nothing to recognise it by
        key = self._key(channel, delivery_id)
        fresh_here = self._first_in_memory(key)
        if self._redis is None:
            return fresh_here
        try:
            return bool(await self._redis.set(key, b"1", nx=True, ex=max(1, int(self.window))))
        except Exception as error:  # noqa: BLE001 - Redis down: handle the message rather than drop it
            logger.warning(
                "Replay check: Redis unavailable (%s); using this server's memory", type(error).__name__
            )
            return fresh_here


@lru_cache(maxsize=1)
def shared_guard() -> ReplayGuard:
    from bot import settings

    return ReplayGuard(settings.replay_store_url())
