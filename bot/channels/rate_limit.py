"""A sliding-window rate limit, kept in this process's memory.

Per process on purpose: it needs no Redis, and with N servers behind a load balancer a
client gets at most N times the limit, which still stops a flood. docs/security.md says so.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Callable, Deque, Dict


class SlidingWindowLimiter:
    """At most ``limit`` hits per key in any ``window`` seconds; ``limit`` 0 means no limit."""

    def __init__(
        self,
        limit: int,
        window: float = 60.0,
        max_keys: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit, self.window, self.max_keys, self.clock = limit, window, max_keys, clock
        self._hits: Dict[str, Deque[float]] = {}

    def allow(self, key: str) -> bool:
        """Counts a hit for ``key`` and says whether it is within the limit (refused hits don't count)."""
        if self.limit <= 0:
            return True
        now = self.clock()
        hits = self._hits.get(key)
        if hits is None:
            self._make_room(now)
            hits = self._hits[key] = deque()
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        return True

    def retry_after(self, key: str) -> int:
        """Whole seconds until ``key`` may send again."""
        hits = self._hits.get(key)
        if not hits or len(hits) < self.limit:
            return 0
        return max(1, int(hits[0] + self.window - self.clock()) + 1)

    def _make_room(self, now: float) -> None:
        # Memory stays bounded however many senders a flood invents: forget idle keys first,
        # then (only if all are active) the oldest ones.
        if len(self._hits) < self.max_keys:
            return
        for key in [k for k, hits in self._hits.items() if not hits or hits[-1] <= now - self.window]:
            del self._hits[key]
        while len(self._hits) >= self.max_keys:
            del self._hits[next(iter(self._hits))]
