"""Many conversations at once over REST, then a count in SQL: nothing lost, nothing refused.

    python -m bench.load_integrity                       # 200 conversations x 20 messages, PostgreSQL
    python -m bench.load_integrity --conversations 20 --messages 5 --database sqlite

Starts its own action and Rasa servers (processes/catalogue.py, as `make run` does) on
loopback with rate limits off, runs every conversation concurrently (each waits for its reply before its
next message, as a person does), then checks: no 5xx, no transport errors, every user
message and every bot reply is a row in the events table. Prints a JSON summary; exits
non-zero if a check fails. ``make bench-load`` runs the full size.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import secrets
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List

import aiohttp
import sqlalchemy as sa

from bench.runner import postgres_database
from processes import catalogue
from processes.lifecycle import Process, free_port, running

# What visitors ask, including a crisis (which also calls the action server) and small talk.
MESSAGES = [
    "hello",
    "what is psychodynamic therapy?",
    "how does it work",
    "what happens in a session?",
    "are there any side effects",
    "how long does therapy last",
    "is it right for me?",
    "can children have psychodynamic therapy?",
    "how is it different from CBT?",
    "what does the research say?",
    "how do I get referred",
    "I don't see the point any more",
    "can I talk to a real person",
    "are you a bot?",
    "thanks",
    "what is transference",
    "do I have to lie on a couch",
    "how much does it cost",
    "yes",
    "bye",
]
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=300)


@dataclass
class LoadReport:
    conversations: int
    messages_per_conversation: int
    seconds: float = 0.0
    statuses: Dict[str, int] = field(default_factory=dict)
    transport_errors: int = 0
    bot_messages_returned: int = 0
    empty_replies: int = 0
    latency_p50_ms: float = 0.0
    latency_p95_ms: float = 0.0
    latency_max_ms: float = 0.0
    user_events_stored: int = 0
    bot_events_stored: int = 0
    bot_messages_stored: int = 0  # what the stored bot events amount to as REST messages

    @property
    def sent(self) -> int:
        return self.conversations * self.messages_per_conversation

    def problems(self) -> List[str]:
        found = []
        if any(status.startswith("5") for status in self.statuses) or self.transport_errors:
            found.append(
                f"server errors or failed requests: {self.statuses}, {self.transport_errors} transport errors"
            )
        if self.statuses.get("200", 0) != self.sent:
            found.append(
                f"{self.sent - self.statuses.get('200', 0)} of {self.sent} messages not answered with 200"
            )
        if self.empty_replies:
            found.append(f"{self.empty_replies} empty replies")
        if self.user_events_stored != self.statuses.get("200", 0):
            found.append(
                f"{self.user_events_stored} user messages stored, {self.statuses.get('200', 0)} answered"
            )
        if self.bot_messages_stored != self.bot_messages_returned:
            found.append(
                f"{self.bot_messages_stored} bot messages stored, {self.bot_messages_returned} returned"
            )
        return found


async def converse(
    session: aiohttp.ClientSession,
    url: str,
    sender: str,
    count: int,
    offset: int,
    report: LoadReport,
    latencies: List[float],
    statuses: Counter,
) -> None:
    for turn in range(count):
        text = MESSAGES[(offset + turn) % len(MESSAGES)]
        started = time.monotonic()
        try:
            async with session.post(url, json={"sender": sender, "message": text}) as response:
                statuses[str(response.status)] += 1
                if response.status == 200:
                    replies = await response.json()
                    report.bot_messages_returned += len(replies)
                    report.empty_replies += sum(1 for r in replies if not (r.get("text") or r.get("buttons")))
                    report.empty_replies += 0 if replies else 1
        except (aiohttp.ClientError, asyncio.TimeoutError):
            report.transport_errors += 1
        latencies.append((time.monotonic() - started) * 1000)


async def run_load(rasa_url: str, prefix: str, conversations: int, messages: int) -> LoadReport:
    """All conversations at once; each sender is ``<prefix>-<n>``."""
    report = LoadReport(conversations, messages)
    latencies: List[float] = []
    statuses: Counter = Counter()
    url = f"{rasa_url}/webhooks/rest/webhook"
    connector = aiohttp.TCPConnector(limit=conversations)
    started = time.monotonic()
    async with aiohttp.ClientSession(connector=connector, timeout=REQUEST_TIMEOUT) as session:
        await asyncio.gather(
            *(
                converse(session, url, f"{prefix}-{n}", messages, n, report, latencies, statuses)
                for n in range(conversations)
            )
        )
    report.seconds = round(time.monotonic() - started, 1)
    report.statuses = dict(statuses)
    latencies.sort()
    if latencies:
        report.latency_p50_ms = round(latencies[len(latencies) // 2])
        report.latency_p95_ms = round(latencies[int(len(latencies) * 0.95) - 1])
        report.latency_max_ms = round(latencies[-1])
    return report


def count_stored(db_url: str, prefix: str, report: LoadReport) -> None:
    """User and bot events stored for the run's senders; bot replies counted as the REST
    channel returns them (Rasa sends each paragraph of a text without buttons separately)."""
    engine = sa.create_engine(db_url)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "select type_name, data from events where sender_id like :p and type_name in ('user', 'bot')"
            ),
            {"p": f"rest:{prefix}-%"},  # REST files its conversations under rest: (bot/channels/ids.py)
        ).fetchall()
    engine.dispose()
    report.user_events_stored = sum(1 for row in rows if row.type_name == "user")
    bots = [json.loads(row.data) for row in rows if row.type_name == "bot"]
    report.bot_events_stored = len(bots)
    report.bot_messages_stored = sum(returned_messages(bot) for bot in bots)


def returned_messages(bot_event: dict) -> int:
    text, buttons = bot_event.get("text") or "", (bot_event.get("data") or {}).get("buttons")
    return 1 if buttons else len(text.strip().split("\n\n")) if text.strip() else 0


@contextlib.contextmanager
def database(kind: str) -> Iterator[str]:
    """A fresh SQLite file or PostgreSQL database (BENCH_POSTGRES_URL's server), gone afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            yield f"sqlite:///{Path(directory) / 'conversations.db'}"
    else:
        with postgres_database(f"load_{secrets.token_hex(4)}") as url:
            yield url


@contextlib.contextmanager
def running_assistant(db_url: str, work: Path) -> Iterator[Process]:
    """The action and Rasa servers storing in ``db_url``, rate limits off; yields the Rasa server."""
    env = {
        "TRACKER_DB_URL": db_url,
        "VAR_DIR": str(work / "var"),
        "JOURNAL_DIR": str(work / "journal"),
        "RATE_LIMIT_PER_MINUTE": "0",
    }
    with running(catalogue.assistant(free_port(), free_port(), env=env), work) as (_actions, rasa):
        yield rasa


def main(argv: List[str] = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    args = parser.parse_args(argv)

    prefix = f"load-{secrets.token_hex(3)}"
    with database(args.database) as db_url, tempfile.TemporaryDirectory() as work:
        with running_assistant(db_url, Path(work)) as rasa:
            report = asyncio.run(run_load(rasa.url, prefix, args.conversations, args.messages))
        count_stored(db_url, prefix, report)
    print(json.dumps({"database": args.database, **asdict(report), "problems": report.problems()}, indent=2))
    return 1 if report.problems() else 0


if __name__ == "__main__":
    sys.exit(main())
