"""The audit log: who viewed, exported, changed or deleted what, and when."""

from __future__ import annotations

import time
from typing import Any, Dict, List, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.console.db import schema

a = schema.audit


def record(conn: Connection, username: Optional[str], action: str, target: str = "", detail: str = "",
           remote_addr: Optional[str] = None) -> None:
    conn.execute(a.insert().values(at=time.time(), username=username, action=action[:32],
                                   target=target, detail=detail, remote_addr=(remote_addr or "")[:64]))


def recent(conn: Connection, limit: int = 200, offset: int = 0, action: Optional[str] = None) -> List[Dict[str, Any]]:
    query = sa.select(a).order_by(a.c.id.desc()).limit(limit).offset(offset)
    if action:
        query = query.where(a.c.action == action)
    return [dict(row._mapping) for row in conn.execute(query)]


def failures_since(conn: Connection, username: str, since: float) -> int:
    """Failed logins for ``username`` since ``since`` (to slow down password guessing)."""
    query = sa.select(sa.func.count()).select_from(a).where(
        a.c.username == username, a.c.action == "login_failed", a.c.at >= since)
    return conn.execute(query).scalar() or 0
