"""Keeps ``console_conversations`` (and its topic and unanswered tables) in step with ``events``.

The watermark is the highest event id already summarised. A refresh reads the events
after it, and recomputes the whole summary of every conversation they belong to (a
conversation is a few dozen events, and recomputing makes each refresh idempotent). Each
refresh starts ``OVERLAP`` ids below the watermark: PostgreSQL hands out ids before
commit, so two bot processes can commit out of id order, and the overlap catches an
event that became visible after a higher id was already summarised.
"""

from __future__ import annotations

import re
import threading
from datetime import datetime
from typing import Dict, Iterable, List, Optional, Sequence
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from console.db import rollups, schema
from console.events import Summary, summarise

WATERMARK = "events_watermark"
LONDON = ZoneInfo("Europe/London")  # the default zone (CONSOLE_TIMEZONE), built once
OVERLAP = 500
BATCH_EVENTS = 20_000
# SQLite locks the whole file while writing, and the bot writes to the same file: keep each
# summarising transaction short so the bot never waits long for its turn.
SQLITE_BATCH_EVENTS = 2_000
_CHUNK = 500  # senders per IN (...) list
_ADVISORY_LOCK = 5_080_002
_local_lock = threading.Lock()


def get_state(conn: Connection, key: str) -> Optional[str]:
    return conn.execute(sa.select(schema.state.c.value).where(schema.state.c.key == key)).scalar()


def set_state(conn: Connection, key: str, value: str) -> None:
    updated = conn.execute(schema.state.update().where(schema.state.c.key == key).values(value=value))
    if not updated.rowcount:
        conn.execute(schema.state.insert().values(key=key, value=value))


def normalize(text: str) -> str:
    """The key unanswered questions are grouped by: lower case, words only."""
    return " ".join(re.sub(r"[^\w\s']", " ", text.lower()).split())[:255]


def _chunks(items: Sequence[str], size: int = _CHUNK) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _rows(summary: Summary, zone: ZoneInfo) -> Dict[str, list]:
    day = datetime.fromtimestamp(summary.started_at, zone).strftime("%Y-%m-%d")
    conversation = dict(
        sender_id=summary.sender_id,
        started_at=summary.started_at,
        last_at=summary.last_at,
        started_day=day,
        channel=summary.channel[:64],
        user_messages=summary.user_messages,
        bot_messages=summary.bot_messages,
        topics=" ".join(summary.topics),
        crisis=summary.crisis,
        fallback_count=summary.fallback_count,
        low_confidence_count=summary.low_confidence_count,
        unanswered=summary.unanswered,
        referral_offered=summary.referral_offered,
        first_message=summary.first_message,
        search_text=summary.search_text,
        last_event_id=summary.last_event_id,
        start_page=summary.start_page[:255],
        possible_risk=summary.possible_risk,
        crisis_message=summary.crisis_message,
    )
    topics = [
        dict(
            sender_id=summary.sender_id,
            topic=topic[:255],
            started_at=summary.started_at,
            channel=summary.channel[:64],
        )
        for topic in summary.topics
    ]
    # The improvement queue: questions not understood or answered unsure, and questions whose
    # answer a visitor voted not helpful (marked so), each once.
    disliked = {v.question.event_id for v in summary.votes if not v.helpful and v.question is not None}
    queued = {m.event_id: m for m in summary.unanswered_messages}
    queued.update(
        {
            v.question.event_id: v.question
            for v in summary.votes
            if v.question is not None and v.question.event_id in disliked
        }
    )
    unanswered = [
        dict(
            event_id=m.event_id,
            sender_id=summary.sender_id,
            at=m.at,
            channel=summary.channel[:64],
            text=m.text,
            normalized=normalize(m.text),
            intent=m.topic,
            confidence=m.lowest_confidence,
            fallback=m.fallback,
            rated_unhelpful=m.event_id in disliked,
        )
        for _, m in sorted(queued.items())
    ]
    feedback = [
        dict(
            event_id=v.vote.event_id,
            sender_id=summary.sender_id,
            at=v.vote.at,
            channel=summary.channel[:64],
            topic=(v.vote.rated_topic or "")[:255],
            helpful=v.helpful,
            question_event_id=v.question.event_id if v.question else None,
        )
        for v in summary.votes
    ]
    risk = [
        dict(
            event_id=m.event_id,
            sender_id=summary.sender_id,
            at=m.at,
            text=m.text,
            score=m.risk_score,
            kinds=" ".join(m.risk_kinds)[:255],
        )
        for m in summary.risk_messages
    ]
    return {
        "conversations": [conversation],
        "topics": topics,
        "unanswered": unanswered,
        "risk": risk,
        "feedback": feedback,
    }


def recompute(conn: Connection, sender_ids: Iterable[str], low_confidence: float, zone: ZoneInfo) -> int:
    """Rewrites the summary rows of ``sender_ids`` from their events; returns how many exist."""
    e = schema.events
    written = 0
    for chunk in _chunks(sorted(set(sender_ids))):
        grouped: Dict[str, List[tuple]] = {sender: [] for sender in chunk}
        query = (
            sa.select(e.c.sender_id, e.c.id, e.c.timestamp, e.c.data)
            .where(e.c.sender_id.in_(chunk))
            .order_by(e.c.sender_id, e.c.id)
        )
        for sender, event_id, timestamp, data in conn.execute(query):
            grouped[sender].append((event_id, timestamp, data))
        batch: Dict[str, list] = {
            "conversations": [],
            "topics": [],
            "unanswered": [],
            "risk": [],
            "feedback": [],
        }
        for sender, rows in grouped.items():
            if rows:  # no rows: the conversation was deleted, its summary goes too
                for name, values in _rows(summarise(sender, rows, low_confidence), zone).items():
                    batch[name].extend(values)
        days = set(rollups.days_of(conn, chunk))  # where these conversations were counted until now
        days.update(row["started_day"] for row in batch["conversations"])
        tables = (
            ("conversations", schema.conversations),
            ("topics", schema.conversation_topics),
            ("unanswered", schema.unanswered),
            ("risk", schema.risk_messages),
            ("feedback", schema.feedback),
        )
        for _, table in tables:
            conn.execute(table.delete().where(table.c.sender_id.in_(chunk)))
        for name, table in tables:
            if batch[name]:
                conn.execute(table.insert(), batch[name])
        rollups.rebuild_days(conn, days)
        written += len(batch["conversations"])
    return written


def refresh(
    engine: Engine, low_confidence: float = 0.5, zone: ZoneInfo = LONDON, max_batches: Optional[int] = None
) -> int:
    """Summarises events newer than the watermark; returns the conversations recomputed.

    ``max_batches`` bounds the work (a page view refreshes a little; the CLI does it all).
    """
    e = schema.events
    with engine.connect() as conn:
        newest = conn.execute(sa.select(sa.func.max(e.c.id))).scalar()
        watermark = int(get_state(conn, WATERMARK) or 0)
    if newest is None or newest <= watermark:
        return 0
    if not _local_lock.acquire(blocking=False):
        return 0  # another thread of this process is already refreshing
    try:
        total, batches, start = 0, 0, max(0, watermark - OVERLAP)
        size = BATCH_EVENTS if engine.dialect.name != "sqlite" else min(BATCH_EVENTS, SQLITE_BATCH_EVENTS)
        while max_batches is None or batches < max_batches:
            with engine.begin() as conn:
                if (
                    conn.dialect.name == "postgresql"
                    and not conn.execute(
                        sa.text("SELECT pg_try_advisory_xact_lock(:id)"), {"id": _ADVISORY_LOCK}
                    ).scalar()
                ):
                    return total  # another process is refreshing
                rows = conn.execute(
                    sa.select(e.c.id, e.c.sender_id).where(e.c.id > start).order_by(e.c.id).limit(size)
                ).all()
                if not rows:
                    break
                total += recompute(conn, {sender for _, sender in rows}, low_confidence, zone)
                start = rows[-1][0]
                set_state(conn, WATERMARK, str(max(start, watermark)))
            batches += 1
            if len(rows) < size:
                break
        return total
    finally:
        _local_lock.release()
