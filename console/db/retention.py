"""Deleting conversations: one on request (a person's right to erasure), or all past retention.

A conversation is deleted everywhere it is held: Rasa's events and every console table
about it. Staff-facing summaries are derived data, so nothing of it survives.
"""

from __future__ import annotations

import time
from typing import Iterable, List

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from console.db import rollups, schema

_CHUNK = 500


def delete_conversations(conn: Connection, sender_ids: Iterable[str]) -> int:
    """Deletes the conversations; returns how many existed (had events or a summary)."""
    ids = sorted(set(sender_ids))
    existing = 0
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        e = schema.events
        found = {
            row[0]
            for row in conn.execute(sa.select(e.c.sender_id).where(e.c.sender_id.in_(chunk)).distinct())
        }
        c = schema.conversations
        found |= {row[0] for row in conn.execute(sa.select(c.c.sender_id).where(c.c.sender_id.in_(chunk)))}
        existing += len(found)
        days = rollups.days_of(conn, chunk)
        conn.execute(e.delete().where(e.c.sender_id.in_(chunk)))
        for table in schema.PER_CONVERSATION:
            conn.execute(table.delete().where(table.c.sender_id.in_(chunk)))
        rollups.rebuild_days(conn, days)  # the analytics forget them too
    return existing


def expired(conn: Connection, days: int, now: float) -> List[str]:
    """Conversations whose last event is older than ``days``, read from the events themselves
    (not the summary), so a conversation never summarised is not kept past its time."""
    e = schema.events
    cutoff = now - days * 86_400
    query = sa.select(e.c.sender_id).group_by(e.c.sender_id).having(sa.func.max(e.c.timestamp) < cutoff)
    return [row[0] for row in conn.execute(query)]


def delete_older_than(engine: Engine, days: int, now: float = 0.0) -> int:
    """Deletes every conversation with no activity in the last ``days`` days."""
    if days < 1:
        raise ValueError("retention must be at least one day")
    with engine.begin() as conn:
        senders = expired(conn, days, now or time.time())
        deleted = delete_conversations(conn, senders)
        # Review state left behind by conversations already gone from events.
        c, cutoff = schema.conversations, (now or time.time()) - days * 86_400
        stale = [row[0] for row in conn.execute(sa.select(c.c.sender_id).where(c.c.last_at < cutoff))]
        deleted += delete_conversations(conn, stale)
    return deleted
