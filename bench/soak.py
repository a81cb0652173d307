"""A long, steady load with the Rasa server's memory sampled: does it stay bounded?

    python -m bench.soak                   # 10 minutes, 10 conversations at a time, PostgreSQL
    python -m bench.soak --minutes 2 --database sqlite

Starts its own servers on loopback (rate limits off) and keeps ``--conversations`` visitors
busy: each holds a conversation of 10 messages, then a new visitor (new sender id) takes its
place, so the number of conversations keeps growing as it would on a live site. Every
``--sample-seconds`` it records the resident memory of the Rasa server's process tree. At
the end it counts the stored events (as bench/load_integrity.py does) and writes every
sample to results/soak.json. Memory counts as bounded if, over the second half of the
run, it grew by less than 5%. Stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import secrets
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import List, Optional, Tuple

import aiohttp

from bench.load_integrity import (
    REQUEST_TIMEOUT,
    LoadReport,
    converse,
    count_stored,
    database,
    running_assistant,
)
from bench.procs import tree_rss_mb

RESULTS = Path(__file__).resolve().parent.parent / "results" / "soak.json"
MESSAGES_PER_CONVERSATION = 10
BOUNDED_GROWTH = 0.05


async def visitors(
    url: str, prefix: str, count: int, deadline: float, report: LoadReport
) -> Tuple[List[float], Counter]:
    latencies: List[float] = []
    statuses: Counter = Counter()
    numbers = itertools.count()

    async def visitor(session: aiohttp.ClientSession) -> None:
        while time.monotonic() < deadline:
            n = next(numbers)
            await converse(
                session, url, f"{prefix}-{n}", MESSAGES_PER_CONVERSATION, n, report, latencies, statuses
            )
            report.conversations += 1

    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=count), timeout=REQUEST_TIMEOUT
    ) as session:
        await asyncio.gather(*(visitor(session) for _ in range(count)))
    return latencies, statuses


async def sample(pid: int, every: float, deadline: float, samples: List[Tuple[float, float]]) -> None:
    started = time.monotonic()
    while time.monotonic() < deadline:
        samples.append((round(time.monotonic() - started, 1), round(tree_rss_mb(pid), 1)))
        await asyncio.sleep(every)


async def soak(rasa_url: str, pid: int, prefix: str, seconds: float, count: int, every: float):
    report = LoadReport(0, MESSAGES_PER_CONVERSATION)
    samples: List[Tuple[float, float]] = []
    deadline = time.monotonic() + seconds
    url = f"{rasa_url}/webhooks/rest/webhook"
    (latencies, statuses), _ = await asyncio.gather(
        visitors(url, prefix, count, deadline, report), sample(pid, every, deadline, samples)
    )
    samples.append((round(seconds, 1), round(tree_rss_mb(pid), 1)))
    report.statuses = dict(statuses)
    latencies.sort()
    report.latency_p50_ms = round(latencies[len(latencies) // 2]) if latencies else 0
    report.latency_p95_ms = round(latencies[int(len(latencies) * 0.95) - 1]) if latencies else 0
    report.latency_max_ms = round(latencies[-1]) if latencies else 0
    return report, samples, sum(statuses.values())


def memory_summary(samples: List[Tuple[float, float]]) -> dict:
    values = [mb for _, mb in samples]
    half = values[len(values) // 2 :]
    growth = (half[-1] - half[0]) / half[0] if half and half[0] else 0.0
    return {
        "rss_mb_first": values[0],
        "rss_mb_max": max(values),
        "rss_mb_last": values[-1],
        "second_half_growth": round(growth, 4),
        "bounded": growth < BOUNDED_GROWTH,
    }


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--conversations", type=int, default=10, help="visitors at a time")
    parser.add_argument("--sample-seconds", type=float, default=5)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    args = parser.parse_args(argv)

    prefix = f"soak-{secrets.token_hex(3)}"
    with database(args.database) as db_url, tempfile.TemporaryDirectory() as work:
        with running_assistant(db_url, Path(work)) as rasa:
            report, samples, sent = asyncio.run(
                soak(
                    rasa.url,
                    rasa.pid,
                    prefix,
                    args.minutes * 60,
                    args.conversations,
                    args.sample_seconds,
                )
            )
        count_stored(db_url, prefix, report)
    problems = report.problems()  # every visitor finishes its conversation, so sent = conversations x 10
    result = {
        "database": args.database,
        "minutes": args.minutes,
        "visitors_at_a_time": args.conversations,
        "conversations": report.conversations,
        "messages": sent,
        "statuses": report.statuses,
        "transport_errors": report.transport_errors,
        "user_events_stored": report.user_events_stored,
        "bot_messages_returned": report.bot_messages_returned,
        "bot_messages_stored": report.bot_messages_stored,
        "bot_events_stored": report.bot_events_stored,
        "latency_ms": {
            "p50": report.latency_p50_ms,
            "p95": report.latency_p95_ms,
            "max": report.latency_max_ms,
        },
        "memory": memory_summary(samples),
        "problems": problems,
        "samples": samples,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2))
    print(json.dumps({k: v for k, v in result.items() if k != "samples"}, indent=2))
    print(f"samples: {RESULTS}")
    return 1 if problems or not result["memory"]["bounded"] else 0


if __name__ == "__main__":
    sys.exit(main())
