"""Fills a database with a large synthetic conversation history for the console benchmark.

    python -m bench.console_seed                      # 100,000 conversations into PostgreSQL
    python -m bench.console_seed --conversations 2000 --db-url sqlite:///var/bench.db

Conversations are shaped like the bot's own (``bench/synthetic.py``), spread over a
year. On PostgreSQL the events go in with COPY (about a million rows in a minute or two);
elsewhere with executemany. Then the console summarises them, as it would on start-up.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import sys
import time
from typing import Iterator, List

import sqlalchemy as sa

from bench.synthetic import random_conversation
from console.db import make_engine, schema, summary
from console.db.migrations import migrate

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/console_bench"
COLUMNS = ("sender_id", "type_name", "timestamp", "intent_name", "action_name", "data")
BATCH = 5_000  # conversations per COPY


def ensure_database(url: str) -> None:
    """Creates the PostgreSQL database named in ``url`` if it does not exist yet."""
    parsed = sa.engine.make_url(url)
    if not parsed.drivername.startswith("postgresql"):
        return
    server = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT", future=True)
    with server.connect() as conn:
        exists = conn.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}
        ).first()
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{parsed.database}"'))
    server.dispose()


def batches(total: int, days: int, seed: int) -> Iterator[List[dict]]:
    rng, now = random.Random(seed), time.time()
    # Busier on weekdays and growing over the year, like a real practice's traffic.
    for first in range(0, total, BATCH):
        rows: List[dict] = []
        for n in range(first, min(first + BATCH, total)):
            age = days * (rng.random() ** 0.8)
            rows.extend(random_conversation(rng, f"bench-{n:07d}", now - age * 86_400).rows())
        yield rows


def copy_rows(engine, rows: List[dict]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["" if row[c] is None else row[c] for c in COLUMNS])
    buffer.seek(0)
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            cursor.copy_expert(f"COPY events ({', '.join(COLUMNS)}) FROM STDIN WITH (FORMAT csv)", buffer)
        raw.commit()
    finally:
        raw.close()


def add_review_state(engine, total: int, seed: int) -> None:
    """Some conversations reviewed and tagged, as after months of use."""
    rng = random.Random(seed + 1)
    with engine.begin() as conn:
        reviewed = [
            dict(sender_id=f"bench-{n:07d}", reviewed_by="bench", reviewed_at=time.time())
            for n in range(total)
            if rng.random() < 0.1
        ]
        conn.execute(schema.reviews.insert(), reviewed)
        tagged = [
            dict(
                sender_id=f"bench-{n:07d}",
                tag=rng.choice(("follow up", "safeguarding", "content gap")),
                added_by="bench",
                added_at=time.time(),
            )
            for n in range(total)
            if rng.random() < 0.02
        ]
        conn.execute(schema.tags.insert(), tagged)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db-url", default=os.environ.get("CONSOLE_BENCH_DB_URL", DEFAULT_URL))
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--if-empty", action="store_true", help="do nothing if events are already there")
    args = parser.parse_args(argv)

    ensure_database(args.db_url)
    engine = make_engine(args.db_url)
    migrate(engine)
    with engine.connect() as conn:
        existing = conn.execute(sa.select(sa.func.count()).select_from(schema.conversations)).scalar()
        has_events = conn.execute(sa.select(schema.events.c.id).limit(1)).first() is not None
    if args.if_empty and has_events and existing:
        print(f"{args.db_url} already holds {existing:,} summarised conversations; not seeding.")
        return 0
    with engine.begin() as conn:  # start clean: events and everything derived from them
        for table in (
            schema.events,
            *schema.PER_CONVERSATION,
            schema.daily,
            schema.daily_topics,
            schema.state,
        ):
            conn.execute(table.delete())

    started, events = time.monotonic(), 0
    postgres = engine.dialect.name == "postgresql"
    for rows in batches(args.conversations, args.days, args.seed):
        if postgres:
            copy_rows(engine, rows)
        else:
            with engine.begin() as conn:
                conn.execute(schema.events.insert(), [{**r} for r in rows])
        events += len(rows)
        print(f"\r{events:,} events written", end="", flush=True)
    seeded = time.monotonic() - started
    if postgres:  # fresh statistics, so summarising uses the sender_id index, not full scans
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("ANALYZE events"))
    print(f"\nSeeded {args.conversations:,} conversations ({events:,} events) in {seeded:.0f} s.")

    started = time.monotonic()
    count = summary.refresh(engine)
    add_review_state(engine, args.conversations, args.seed)
    if postgres:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
    print(f"Summarised {count:,} conversations in {time.monotonic() - started:.0f} s.")
    print(json.dumps({"events": events, "conversations": count, "seed_seconds": round(seeded, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
