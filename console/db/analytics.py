"""The numbers behind the analytics screen, read from the daily roll-ups (``db/rollups.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Dict, List, Optional, Tuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from console.db import schema
from console.db.conversations import date_conditions
from console.filters import Filters

daily, daily_topics, feedback = schema.daily, schema.daily_topics, schema.feedback


@dataclass(frozen=True)
class Helpfulness:
    """Visitors' votes on one topic's answers."""

    topic: str
    helpful: int
    not_helpful: int

    @property
    def votes(self) -> int:
        return self.helpful + self.not_helpful

    @property
    def share(self) -> float:
        return self.helpful / self.votes if self.votes else 0.0


@dataclass
class Analytics:
    conversations: int = 0
    user_messages: int = 0
    fallback_messages: int = 0
    low_confidence_messages: int = 0
    crisis_conversations: int = 0
    referral_conversations: int = 0
    unanswered_conversations: int = 0
    # (day "YYYY-MM-DD", conversations, crisis conversations, referral-line conversations)
    per_day: List[Tuple[str, int, int, int]] = field(default_factory=list)
    top_topics: List[Tuple[str, int]] = field(default_factory=list)
    by_channel: List[Tuple[str, int]] = field(default_factory=list)
    helpfulness: List[Helpfulness] = field(default_factory=list)

    @property
    def fallback_rate(self) -> float:
        return self.fallback_messages / self.user_messages if self.user_messages else 0.0

    @property
    def referral_rate(self) -> float:
        return self.referral_conversations / self.conversations if self.conversations else 0.0

    @property
    def crisis_rate(self) -> float:
        return self.crisis_conversations / self.conversations if self.conversations else 0.0


def _where(table: sa.Table, filters: Filters) -> List[Any]:
    # Days are local dates ("YYYY-MM-DD"), so a whole-day range compares as text.
    where = []
    if filters.date_from:
        where.append(table.c.day >= filters.date_from.isoformat())
    if filters.date_to:
        where.append(table.c.day <= filters.date_to.isoformat())
    if filters.channel:
        where.append(table.c.channel == filters.channel)
    return where


def compute(conn: Connection, filters: Filters, top: int = 15) -> Analytics:
    """Totals, per-day series, top topics and channels, for the date range and channel."""
    result = Analytics()
    days: Dict[str, List[int]] = {}
    channels: Dict[str, int] = {}
    query = sa.select(daily).where(*_where(daily, filters))
    for row in conn.execute(query):
        result.conversations += row.conversations
        result.user_messages += row.user_messages
        result.fallback_messages += row.fallback_messages
        result.low_confidence_messages += row.low_confidence_messages
        result.crisis_conversations += row.crisis
        result.referral_conversations += row.referral
        result.unanswered_conversations += row.unanswered
        counts = days.setdefault(row.day, [0, 0, 0])
        counts[0] += row.conversations
        counts[1] += row.crisis
        counts[2] += row.referral
        channels[row.channel] = channels.get(row.channel, 0) + row.conversations
    result.per_day = fill_days(
        [(day, c[0], c[1], c[2]) for day, c in sorted(days.items())],
        first=filters.date_from,
        last=filters.date_to,
    )
    result.by_channel = sorted(channels.items(), key=lambda item: (-item[1], item[0]))

    total = sa.func.sum(daily_topics.c.conversations).label("n")
    result.top_topics = [
        (topic, int(n))
        for topic, n in conn.execute(
            sa.select(daily_topics.c.topic, total)
            .where(*_where(daily_topics, filters))
            .group_by(daily_topics.c.topic)
            .order_by(total.desc(), daily_topics.c.topic)
            .limit(top)
        )
    ]
    return result


def helpfulness(conn: Connection, filters: Filters, zone: ZoneInfo) -> List[Helpfulness]:
    """Votes per topic in the period (by when the vote was given) and channel, most voted first."""
    where = date_conditions(filters, zone, feedback.c.at)
    if filters.channel:
        where.append(feedback.c.channel == filters.channel)
    yes = sa.func.sum(sa.case((feedback.c.helpful, 1), else_=0)).label("yes")
    total = sa.func.count().label("n")
    rows = conn.execute(
        sa.select(feedback.c.topic, yes, total)
        .where(*where)
        .group_by(feedback.c.topic)
        .order_by(total.desc(), feedback.c.topic)
    )
    return [Helpfulness(topic, int(y or 0), int(n) - int(y or 0)) for topic, y, n in rows]


def fill_days(
    rows: List[Tuple[str, int, int, int]],
    limit: int = 366,
    first: Optional[date] = None,
    last: Optional[date] = None,
) -> List[Tuple[str, int, int, int]]:
    """Every day of the range, those with no conversations as zeros, so a week with traffic
    on one day draws seven days. The range is the filter's dates, else the data's."""
    if not rows and not (first and last):
        return []
    known: Dict[str, Tuple[str, int, int, int]] = {row[0]: row for row in rows}
    first = first or date.fromisoformat(rows[0][0])
    last = last or (date.fromisoformat(rows[-1][0]) if rows else first)
    if last < first:
        return []
    first = max(first, last - timedelta(days=limit - 1))
    days = ((first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1))
    return [known.get(day, (day, 0, 0, 0)) for day in days]
