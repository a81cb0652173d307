"""The numbers behind the analytics screen, computed in SQL over the summary tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Dict, List, Tuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.console.db import schema
from bot.console.db.conversations import date_conditions
from bot.console.filters import Filters

conv = schema.conversations


def _count_if(condition: Any) -> Any:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


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

    @property
    def fallback_rate(self) -> float:
        return self.fallback_messages / self.user_messages if self.user_messages else 0.0

    @property
    def referral_rate(self) -> float:
        return self.referral_conversations / self.conversations if self.conversations else 0.0

    @property
    def crisis_rate(self) -> float:
        return self.crisis_conversations / self.conversations if self.conversations else 0.0


def compute(conn: Connection, filters: Filters, zone: ZoneInfo, top: int = 15) -> Analytics:
    """Totals, per-day series, top topics and channels, for the date range and channel."""
    where = date_conditions(filters, zone, conv.c.started_at)
    if filters.channel:
        where.append(conv.c.channel == filters.channel)
    # One scan, grouped by day and channel; totals, the per-day series and the channel
    # counts are all sums of these few hundred rows.
    grouped = conn.execute(
        sa.select(conv.c.started_day, conv.c.channel, sa.func.count(),
                  sa.func.coalesce(sa.func.sum(conv.c.user_messages), 0),
                  sa.func.coalesce(sa.func.sum(conv.c.fallback_count), 0),
                  sa.func.coalesce(sa.func.sum(conv.c.low_confidence_count), 0),
                  _count_if(conv.c.crisis), _count_if(conv.c.referral_offered), _count_if(conv.c.unanswered))
        .where(*where).group_by(conv.c.started_day, conv.c.channel)).all()
    result = Analytics()
    days: Dict[str, List[int]] = {}
    channels: Dict[str, int] = {}
    for day, channel, n, messages, fallbacks, low, crisis, referral, unanswered in grouped:
        result.conversations += int(n)
        result.user_messages += int(messages)
        result.fallback_messages += int(fallbacks)
        result.low_confidence_messages += int(low)
        result.crisis_conversations += int(crisis)
        result.referral_conversations += int(referral)
        result.unanswered_conversations += int(unanswered)
        counts = days.setdefault(day, [0, 0, 0])
        counts[0], counts[1], counts[2] = counts[0] + int(n), counts[1] + int(crisis), counts[2] + int(referral)
        channels[channel] = channels.get(channel, 0) + int(n)
    result.per_day = fill_days([(day, *days[day]) for day in sorted(days)])
    result.by_channel = sorted(channels.items(), key=lambda item: (-item[1], item[0]))

    t = schema.conversation_topics
    topic_where = date_conditions(filters, zone, t.c.started_at)
    if filters.channel:
        topic_where.append(t.c.channel == filters.channel)
    count = sa.func.count().label("n")
    result.top_topics = [(topic, int(n)) for topic, n in conn.execute(
        sa.select(t.c.topic, count).where(*topic_where).group_by(t.c.topic)
        .order_by(count.desc(), t.c.topic).limit(top))]

    return result


def fill_days(rows: List[Tuple[str, int, int, int]], limit: int = 366) -> List[Tuple[str, int, int, int]]:
    """Adds the days with no conversations (zeros), so a chart's gaps are real gaps."""
    if not rows:
        return []
    known: Dict[str, Tuple[str, int, int, int]] = {row[0]: row for row in rows}
    first, last = date.fromisoformat(rows[0][0]), date.fromisoformat(rows[-1][0])
    first = max(first, last - timedelta(days=limit - 1))
    days = ((first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1))
    return [known.get(day, (day, 0, 0, 0)) for day in days]
