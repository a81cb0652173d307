"""Staff accounts and their login sessions, as stored (hashing and cookies are in ``auth``)."""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any, Dict, List, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from console.db import schema

ROLES = ("reviewer", "admin")
u, s = schema.users, schema.sessions


def get(conn: Connection, username: str) -> Optional[Dict[str, Any]]:
    row = conn.execute(sa.select(u).where(u.c.username == username)).first()
    return dict(row._mapping) if row else None


def all_users(conn: Connection) -> List[Dict[str, Any]]:
    return [dict(row._mapping) for row in conn.execute(sa.select(u).order_by(u.c.username))]


def count(conn: Connection) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(u)).scalar() or 0


def insert(conn: Connection, username: str, password_hash: str, role: str, must_change: bool = False) -> None:
    conn.execute(
        u.insert().values(
            username=username,
            password_hash=password_hash,
            role=role,
            active=True,
            must_change_password=must_change,
            created_at=time.time(),
        )
    )


def update(conn: Connection, username: str, **values: Any) -> bool:
    return bool(conn.execute(u.update().where(u.c.username == username).values(**values)).rowcount)


def _digest(token: str) -> str:
    # Only a hash of the cookie is stored: a copy of the database cannot be used to log in.
    return hashlib.sha256(token.encode()).hexdigest()


def new_session(conn: Connection, user_id: int, hours: float) -> Tuple[str, str]:
    """Starts a session; returns (cookie token, CSRF token)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = time.time()
    conn.execute(s.delete().where(s.c.expires_at < now))  # tidy up as we go
    conn.execute(
        s.insert().values(
            token_hash=_digest(token),
            user_id=user_id,
            csrf_token=csrf,
            created_at=now,
            expires_at=now + hours * 3600,
        )
    )
    return token, csrf


def session_user(conn: Connection, token: str) -> Optional[Dict[str, Any]]:
    """The active user a live session belongs to, with the session's CSRF token."""
    query = (
        sa.select(u, s.c.csrf_token)
        .select_from(s.join(u, u.c.id == s.c.user_id))
        .where(s.c.token_hash == _digest(token), s.c.expires_at > time.time(), u.c.active.is_(True))
    )
    row = conn.execute(query).first()
    return dict(row._mapping) if row else None


def end_session(conn: Connection, token: str) -> None:
    conn.execute(s.delete().where(s.c.token_hash == _digest(token)))


def end_all_sessions(conn: Connection, user_id: int) -> None:
    conn.execute(s.delete().where(s.c.user_id == user_id))


def active_admins(conn: Connection) -> int:
    query = sa.select(sa.func.count()).select_from(u).where(u.c.role == "admin", u.c.active.is_(True))
    return conn.execute(query).scalar() or 0
