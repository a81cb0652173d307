"""The audit log: who viewed, exported, changed or deleted what, and when."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional
from urllib.parse import parse_qsl, urlencode

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from console.db import schema

a = schema.audit
# Failed password checks, which the login throttle counts (console/auth.py).
LOGIN_FAILED, PASSWORD_FAILED = "login_failed", "password_failed"
FAILED_CHECKS = (LOGIN_FAILED, PASSWORD_FAILED)
THROTTLED = "login_throttled"  # a check refused for coming too soon: logged, not counted


@dataclass(frozen=True)
class Failures:  # not a NamedTuple: its ``count`` would hide tuple.count
    count: int
    last_at: float


def record(
    conn: Connection,
    username: Optional[str],
    action: str,
    target: str = "",
    detail: str = "",
    remote_addr: Optional[str] = None,
) -> None:
    conn.execute(
        a.insert().values(
            at=time.time(),
            username=username,
            action=action[:32],
            target=target,
            detail=detail,
            remote_addr=(remote_addr or "")[:64],
        )
    )


def without_search(query_string: str) -> str:
    """A query string fit for the audit log: the free-text search (``q``) is left out.

    What staff search for is often what a visitor wrote (a phone number, a name), and the
    audit log outlives the conversation's erasure; that a search was made is kept.
    """
    pairs = [
        (key, "(not kept)" if key == "q" else value)
        for key, value in parse_qsl(query_string, keep_blank_values=True)
    ]
    return urlencode(pairs)


def recent(
    conn: Connection, limit: int = 200, offset: int = 0, action: Optional[str] = None
) -> List[Dict[str, Any]]:
    query = sa.select(a).order_by(a.c.id.desc()).limit(limit).offset(offset)
    if action:
        query = query.where(a.c.action == action)
    return [dict(row._mapping) for row in conn.execute(query)]


def failures(
    conn: Connection, since: float, username: Optional[str] = None, address: Optional[str] = None
) -> Failures:
    """Failed password checks since ``since``, for a username, an address, or both."""
    query = (
        sa.select(sa.func.count(), sa.func.max(a.c.at))
        .select_from(a)
        .where(a.c.action.in_(FAILED_CHECKS), a.c.at >= since)
    )
    if username is not None:
        query = query.where(a.c.username == username)
    if address is not None:
        query = query.where(a.c.remote_addr == address[:64])
    count, last_at = conn.execute(query).one()
    return Failures(int(count or 0), float(last_at or 0.0))
