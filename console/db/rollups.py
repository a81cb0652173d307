"""Per-day, per-channel totals of the summary, so analytics reads hundreds of rows, not 100,000s.

Whenever conversations are (re)summarised or deleted, the days they started on are
recomputed from ``console_conversations`` whole: a few hundred conversations a day make
that cheap, and a day is always exactly the sum of its conversations.
"""

from __future__ import annotations

from typing import Iterable, List, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from console.db import schema

conv, topics = schema.conversations, schema.conversation_topics
_CHUNK = 200


def _count_if(condition: sa.sql.ColumnElement) -> sa.sql.ColumnElement:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def days_of(conn: Connection, sender_ids: Sequence[str]) -> List[str]:
    """The days these conversations (as summarised now) started on."""
    query = sa.select(conv.c.started_day).where(conv.c.sender_id.in_(list(sender_ids))).distinct()
    return [row[0] for row in conn.execute(query)]


def rebuild_days(conn: Connection, days: Iterable[str]) -> None:
    """Recomputes the roll-ups of ``days`` from the summary tables."""
    wanted = sorted(set(days))
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        for table in (schema.daily, schema.daily_topics):
            conn.execute(table.delete().where(table.c.day.in_(chunk)))
        totals = (
            sa.select(
                conv.c.started_day,
                conv.c.channel,
                sa.func.count(),
                sa.func.sum(conv.c.user_messages),
                sa.func.sum(conv.c.fallback_count),
                sa.func.sum(conv.c.low_confidence_count),
                _count_if(conv.c.crisis),
                _count_if(conv.c.referral_offered),
                _count_if(conv.c.unanswered),
            )
            .where(conv.c.started_day.in_(chunk))
            .group_by(conv.c.started_day, conv.c.channel)
        )
        conn.execute(
            schema.daily.insert().from_select(
                [
                    "day",
                    "channel",
                    "conversations",
                    "user_messages",
                    "fallback_messages",
                    "low_confidence_messages",
                    "crisis",
                    "referral",
                    "unanswered",
                ],
                totals,
            )
        )
        per_topic = (
            sa.select(conv.c.started_day, conv.c.channel, topics.c.topic, sa.func.count())
            .select_from(topics.join(conv, conv.c.sender_id == topics.c.sender_id))
            .where(conv.c.started_day.in_(chunk))
            .group_by(conv.c.started_day, conv.c.channel, topics.c.topic)
        )
        conn.execute(
            schema.daily_topics.insert().from_select(["day", "channel", "topic", "conversations"], per_topic)
        )


def rebuild_all(conn: Connection) -> None:
    rebuild_days(conn, [row[0] for row in conn.execute(sa.select(conv.c.started_day).distinct())])
