"""Reading conversations: the filtered list, one transcript, and rows to export."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Dict, Iterator, List, Optional, Tuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from console.db import schema
from console.events import Message, load, mark_presses, read_event
from console.filters import Filters

conv = schema.conversations


def day_start(day: date, zone: ZoneInfo) -> float:
    return datetime.combine(day, time.min, zone).timestamp()


def like_pattern(text: str) -> str:
    """``text`` as a LIKE pattern matching it anywhere, with its own % and _ taken literally."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def date_conditions(filters: Filters, zone: ZoneInfo, column: Any) -> List[Any]:
    conditions = []
    if filters.date_from:
        conditions.append(column >= day_start(filters.date_from, zone))
    if filters.date_to:
        conditions.append(column < day_start(filters.date_to + timedelta(days=1), zone))
    return conditions


def conditions(filters: Filters, zone: ZoneInfo) -> List[Any]:
    """SQL conditions on ``console_conversations`` for every filter that is set."""
    found = date_conditions(filters, zone, conv.c.started_at)
    if filters.channel:
        found.append(conv.c.channel == filters.channel)
    for name, column in (
        ("crisis", conv.c.crisis),
        ("unanswered", conv.c.unanswered),
        ("referral", conv.c.referral_offered),
        ("possible_risk", conv.c.possible_risk),
    ):
        wanted = getattr(filters, name)
        if wanted is not None:
            found.append(column.is_(wanted))
    if filters.topic:
        t = schema.conversation_topics
        found.append(sa.exists().where(t.c.sender_id == conv.c.sender_id, t.c.topic == filters.topic))
    if filters.tag:
        tags = schema.tags
        found.append(sa.exists().where(tags.c.sender_id == conv.c.sender_id, tags.c.tag == filters.tag))
    if filters.reviewed is not None:
        # An alias: the list query also joins console_reviews, which would otherwise be
        # correlated away from this subquery.
        done = schema.reviews.alias("done")
        reviewed = sa.exists().where(done.c.sender_id == conv.c.sender_id)
        found.append(reviewed if filters.reviewed else ~reviewed)
    if filters.q:
        found.append(conv.c.search_text.like(like_pattern(filters.q), escape="\\"))
    return found


@dataclass
class Page:
    rows: List[Dict[str, Any]]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def list_page(conn: Connection, filters: Filters, zone: ZoneInfo, page_size: int = 50) -> Page:
    """One page of matching conversations, newest first, with their review state and tags."""
    where = conditions(filters, zone)
    total = conn.execute(sa.select(sa.func.count()).select_from(conv).where(*where)).scalar() or 0
    # Find the page's ids first (from the index alone, however deep the page), then read
    # just those rows: OFFSET over full rows would fetch every skipped conversation.
    order = (conv.c.started_at.desc(), conv.c.sender_id)
    ids = (
        sa.select(conv.c.sender_id)
        .where(*where)
        .order_by(*order)
        .limit(page_size)
        .offset((filters.page - 1) * page_size)
        .subquery()
    )
    r = schema.reviews
    query = (
        sa.select(conv, r.c.reviewed_by, r.c.reviewed_at)
        .select_from(
            conv.join(ids, ids.c.sender_id == conv.c.sender_id).outerjoin(
                r, r.c.sender_id == conv.c.sender_id
            )
        )
        .order_by(*order)
    )
    rows = [dict(row._mapping) for row in conn.execute(query)]
    ids = [row["sender_id"] for row in rows]
    tags, flagged = tags_for(conn, ids), flag_counts(conn, ids)
    for row in rows:
        row["tags"] = tags.get(row["sender_id"], [])
        row["flags"] = flagged.get(row["sender_id"], 0)
    return Page(rows, total, filters.page, page_size)


def flag_counts(conn: Connection, sender_ids: List[str]) -> Dict[str, int]:
    """Messages staff flagged, per conversation."""
    if not sender_ids:
        return {}
    f = schema.flags
    query = (
        sa.select(f.c.sender_id, sa.func.count()).where(f.c.sender_id.in_(sender_ids)).group_by(f.c.sender_id)
    )
    return {sender: int(n) for sender, n in conn.execute(query)}


def tags_for(conn: Connection, sender_ids: List[str]) -> Dict[str, List[str]]:
    if not sender_ids:
        return {}
    found: Dict[str, List[str]] = {}
    query = (
        sa.select(schema.tags.c.sender_id, schema.tags.c.tag)
        .where(schema.tags.c.sender_id.in_(sender_ids))
        .order_by(schema.tags.c.tag)
    )
    for sender, tag in conn.execute(query):
        found.setdefault(sender, []).append(tag)
    return found


def filter_choices(conn: Connection) -> Tuple[List[str], List[str]]:
    """The channels and tags in use, for the filter form's drop-downs."""
    # A "loose index scan": jump from one channel to the next in the (channel, started_at)
    # index instead of reading every conversation; a handful of lookups for any history.
    channels = [
        row[0]
        for row in conn.execute(
            sa.text(
                "WITH RECURSIVE c(channel) AS ("
                " SELECT min(channel) FROM console_conversations"
                " UNION ALL SELECT (SELECT min(channel) FROM console_conversations WHERE channel > c.channel)"
                " FROM c WHERE c.channel IS NOT NULL) SELECT channel FROM c WHERE channel IS NOT NULL"
            )
        )
    ]
    tags = [
        row[0] for row in conn.execute(sa.select(schema.tags.c.tag).distinct().order_by(schema.tags.c.tag))
    ]
    return channels, tags


@dataclass
class Transcript:
    sender_id: str
    summary: Optional[Dict[str, Any]]
    messages: List[Message]
    review: Optional[Dict[str, Any]] = None
    tags: List[str] = field(default_factory=list)
    notes: List[Dict[str, Any]] = field(default_factory=list)
    flags: Dict[int, Dict[str, Any]] = field(default_factory=dict)
    filings: Dict[int, Dict[str, Any]] = field(default_factory=dict)


def messages(conn: Connection, sender_id: str, low_confidence: float) -> List[Message]:
    e = schema.events
    query = sa.select(e.c.id, e.c.data).where(e.c.sender_id == sender_id).order_by(e.c.id)
    found = (read_event(event_id, load(data), low_confidence) for event_id, data in conn.execute(query))
    return mark_presses([message for message in found if message is not None])


def transcript(conn: Connection, sender_id: str, low_confidence: float) -> Optional[Transcript]:
    found = messages(conn, sender_id, low_confidence)
    if not found:
        return None
    summary = conn.execute(sa.select(conv).where(conv.c.sender_id == sender_id)).first()
    review = conn.execute(sa.select(schema.reviews).where(schema.reviews.c.sender_id == sender_id)).first()
    notes = conn.execute(
        sa.select(schema.notes)
        .where(schema.notes.c.sender_id == sender_id)
        .order_by(schema.notes.c.created_at)
    ).all()
    flags = conn.execute(sa.select(schema.flags).where(schema.flags.c.sender_id == sender_id)).all()
    return Transcript(
        sender_id=sender_id,
        summary=dict(summary._mapping) if summary else None,
        messages=found,
        review=dict(review._mapping) if review else None,
        tags=tags_for(conn, [sender_id]).get(sender_id, []),
        notes=[dict(note._mapping) for note in notes],
        flags={flag.event_id: dict(flag._mapping) for flag in flags},
        filings={
            row.event_id: dict(row._mapping)
            for row in conn.execute(sa.select(schema.filings).where(schema.filings.c.sender_id == sender_id))
        },
    )


def export_rows(
    conn: Connection, filters: Filters, zone: ZoneInfo, low_confidence: float, batch: int = 500
) -> Iterator[Tuple[Dict[str, Any], List[Message]]]:
    """Every matching conversation (summary row and messages), newest first, in batches."""
    where = conditions(filters, zone)
    query = sa.select(conv).where(*where).order_by(conv.c.started_at.desc(), conv.c.sender_id)
    offset = 0
    while True:
        rows = [dict(row._mapping) for row in conn.execute(query.limit(batch).offset(offset))]
        if not rows:
            return
        grouped: Dict[str, List[Message]] = {row["sender_id"]: [] for row in rows}
        e = schema.events
        events = conn.execute(
            sa.select(e.c.sender_id, e.c.id, e.c.data)
            .where(e.c.sender_id.in_(list(grouped)))
            .order_by(e.c.id)
        )
        for sender, event_id, data in events:
            message = read_event(event_id, load(data), low_confidence)
            if message is not None:
                grouped[sender].append(message)
        tags, notes, reviews = (
            tags_for(conn, list(grouped)),
            notes_for(conn, list(grouped)),
            reviews_for(conn, list(grouped)),
        )
        for row in rows:
            row["tags"] = tags.get(row["sender_id"], [])
            row["notes"] = notes.get(row["sender_id"], [])
            row["review"] = reviews.get(row["sender_id"])
            yield row, mark_presses(grouped[row["sender_id"]])
        offset += batch


def notes_for(conn: Connection, sender_ids: List[str]) -> Dict[str, List[Dict[str, Any]]]:
    n = schema.notes
    found: Dict[str, List[Dict[str, Any]]] = {}
    for row in conn.execute(sa.select(n).where(n.c.sender_id.in_(sender_ids)).order_by(n.c.created_at)):
        found.setdefault(row.sender_id, []).append(dict(row._mapping))
    return found


def reviews_for(conn: Connection, sender_ids: List[str]) -> Dict[str, Dict[str, Any]]:
    r = schema.reviews
    return {
        row.sender_id: dict(row._mapping)
        for row in conn.execute(sa.select(r).where(r.c.sender_id.in_(sender_ids)))
    }


# --- the crisis queue ---------------------------------------------------------------------


def crisis_queue(conn: Connection, filters: Filters, zone: ZoneInfo, limit: int = 50) -> List[Dict[str, Any]]:
    """Crisis conversations in the filters, unreviewed first, then newest first."""
    where = conditions(filters, zone) + [conv.c.crisis.is_(True)]
    r = schema.reviews
    query = (
        sa.select(conv, r.c.reviewed_by, r.c.reviewed_at)
        .select_from(conv.outerjoin(r, r.c.sender_id == conv.c.sender_id))
        .where(*where)
        .order_by(r.c.sender_id.isnot(None), conv.c.started_at.desc(), conv.c.sender_id)
        .limit(limit)
    )
    rows = [dict(row._mapping) for row in conn.execute(query)]
    flagged = flag_counts(conn, [row["sender_id"] for row in rows])
    for row in rows:
        row["flags"] = flagged.get(row["sender_id"], 0)
    return rows


def risk_list(conn: Connection, filters: Filters, zone: ZoneInfo, limit: int = 50) -> List[Dict[str, Any]]:
    """Messages in the risk check-in band, in conversations not flagged for crisis: those in
    unreviewed conversations first, then newest first."""
    m, r = schema.risk_messages, schema.reviews
    where = date_conditions(filters, zone, m.c.at) + [conv.c.crisis.is_(False)]
    if filters.channel:
        where.append(conv.c.channel == filters.channel)
    if filters.reviewed is not None:
        where.append(r.c.sender_id.isnot(None) if filters.reviewed else r.c.sender_id.is_(None))
    query = (
        sa.select(m, conv.c.channel, r.c.reviewed_by, r.c.reviewed_at)
        .select_from(
            m.join(conv, conv.c.sender_id == m.c.sender_id).outerjoin(r, r.c.sender_id == m.c.sender_id)
        )
        .where(*where)
        .order_by(r.c.sender_id.isnot(None), m.c.at.desc(), m.c.event_id)
        .limit(limit)
    )
    return [dict(row._mapping) for row in conn.execute(query)]


def next_unreviewed(
    conn: Connection, queue: str, filters: Filters, zone: ZoneInfo, after: str
) -> Optional[str]:
    """The next conversation to review after ``after``: in the crisis queue (crisis ones, then
    possible risk) or in the filtered list (``queue`` "list"), the newest unreviewed one."""
    from dataclasses import replace

    unreviewed = replace(filters, reviewed=False, page=1)
    if queue == "crisis":
        for row in crisis_queue(conn, unreviewed, zone, limit=2):
            if row["sender_id"] != after:
                return row["sender_id"]
        for row in risk_list(conn, unreviewed, zone, limit=50):
            if row["sender_id"] != after:
                return row["sender_id"]
        return None
    for row in list_page(conn, unreviewed, zone, page_size=2).rows:
        if row["sender_id"] != after:
            return row["sender_id"]
    return None
