"""What staff record about a conversation: reviewed, tags, notes, flagged messages."""

from __future__ import annotations

import time
from typing import Optional

from sqlalchemy.engine import Connection

from console.db import schema


def set_reviewed(conn: Connection, sender_id: str, username: str, reviewed: bool = True) -> None:
    r = schema.reviews
    conn.execute(r.delete().where(r.c.sender_id == sender_id))
    if reviewed:
        conn.execute(r.insert().values(sender_id=sender_id, reviewed_by=username, reviewed_at=time.time()))


def add_tag(conn: Connection, sender_id: str, tag: str, username: str) -> None:
    t = schema.tags
    conn.execute(t.delete().where(t.c.sender_id == sender_id, t.c.tag == tag))
    conn.execute(t.insert().values(sender_id=sender_id, tag=tag, added_by=username, added_at=time.time()))


def remove_tag(conn: Connection, sender_id: str, tag: str) -> None:
    t = schema.tags
    conn.execute(t.delete().where(t.c.sender_id == sender_id, t.c.tag == tag))


def add_note(conn: Connection, sender_id: str, body: str, username: str) -> None:
    conn.execute(
        schema.notes.insert().values(sender_id=sender_id, author=username, created_at=time.time(), body=body)
    )


def set_flag(conn: Connection, sender_id: str, event_id: int, username: str, reason: Optional[str]) -> None:
    """Flags one message (``reason`` given) or clears its flag (``reason`` None)."""
    f = schema.flags
    conn.execute(f.delete().where(f.c.event_id == event_id, f.c.sender_id == sender_id))
    if reason is not None:
        conn.execute(
            f.insert().values(
                event_id=event_id,
                sender_id=sender_id,
                flagged_by=username,
                flagged_at=time.time(),
                reason=reason,
            )
        )
