"""Load over Rasa's REST channel, open-loop (what a visitor feels) and closed-loop (saturation).

Open loop: messages leave on a fixed schedule whatever the server does, and each latency
is counted from the moment the message was *due*, so a server that falls behind is charged
for the queue it builds (no coordinated omission). Closed loop: N senders each wait for
their reply before sending again; completed messages per second is the saturation rate.
Every run is bounded in message count and time, and targets 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Sequence

import aiohttp
from yarl import URL

REQUEST_TIMEOUT = 30.0  # seconds; a reply slower than this counts as an error


@dataclass
class LoadResult:
    mode: str
    offered_rate: float  # msg/s (open loop) or 0 (closed loop)
    concurrency: int  # conversations (open loop) or senders (closed loop)
    duration: float = 0.0
    sent: int = 0
    ok: int = 0
    errors: int = 0
    latencies_ms: List[float] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        return self.ok / self.duration if self.duration else 0.0

    def percentile(self, fraction: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    def summary(self) -> Dict:
        data = {k: v for k, v in asdict(self).items() if k != "latencies_ms"}
        data.update(
            throughput=self.throughput,
            p50_ms=self.percentile(0.50),
            p95_ms=self.percentile(0.95),
            p99_ms=self.percentile(0.99),
        )
        return data


def _check_local(url: str) -> None:
    host = URL(url).host
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(f"load goes to this machine only, not {host}")


async def _send(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> bool:
    try:
        async with session.post(url, json={"sender": sender, "message": text}) as response:
            replies = await response.json(content_type=None)
            return response.status == 200 and isinstance(replies, list) and bool(replies)
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
        return False


def _session() -> aiohttp.ClientSession:
    # limit=0: no client-side connection cap, so queueing happens in the server, where we measure it.
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0),
        timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT),
    )


async def open_loop(
    url: str, texts: Sequence[str], rate: float, seconds: float, conversations: int = 100, tag: str = "open"
) -> LoadResult:
    """``rate`` msg/s for ``seconds``, message i going to conversation i mod ``conversations``."""
    _check_local(url)
    result = LoadResult("open", rate, conversations)
    total = int(rate * seconds)
    lines = itertools.cycle(texts)

    async def one(index: int, due: float, text: str) -> None:
        ok = await _send(session, url, f"{tag}-{index % conversations}", text)
        if ok:
            result.ok += 1
            result.latencies_ms.append((time.monotonic() - due) * 1000)
        else:
            result.errors += 1

    async with _session() as session:
        start = time.monotonic()
        tasks = []
        for index in range(total):
            due = start + index / rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(index, due, next(lines))))  # never waits for a reply
            result.sent += 1
        await asyncio.gather(*tasks)
        result.duration = time.monotonic() - start
    return result


async def closed_loop(
    url: str, texts: Sequence[str], senders: int, seconds: float, tag: str = "closed", turns: int = 10
) -> LoadResult:
    """``senders`` senders, each sending its next message as soon as the reply arrives.

    Each sender starts a new conversation every ``turns`` messages: real conversations are
    short, and an ever-growing one would measure tracker size, not the server.
    """
    _check_local(url)
    result = LoadResult("closed", 0.0, senders)
    lines = itertools.cycle(texts)

    async with _session() as session:
        start = time.monotonic()
        stop_at = start + seconds

        async def sender(number: int) -> None:
            for count in itertools.count():
                if time.monotonic() >= stop_at:
                    return
                sent_at = time.monotonic()
                result.sent += 1
                if await _send(session, url, f"{tag}-{number}-{count // turns}", next(lines)):
                    result.ok += 1
                    result.latencies_ms.append((time.monotonic() - sent_at) * 1000)
                else:
                    result.errors += 1

        await asyncio.gather(*(sender(n) for n in range(senders)))
        result.duration = time.monotonic() - start
    return result
