"""Staff accounts: password hashing (argon2id), the password rule, login, the first admin.

No Flask here: the command line and the web app share these functions; ``security``
wires them into requests.
"""

from __future__ import annotations

import re
import secrets
import time
from functools import lru_cache
from typing import Any, Dict, Mapping, Optional, Tuple

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Connection, Engine

from bot.console.db import audit, users

MIN_PASSWORD_LENGTH = 12
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
# After this many failed logins in the window, that username cannot log in until it passes.
MAX_FAILURES, FAILURE_WINDOW = 10, 15 * 60


class AccountError(ValueError):
    """A message for the person creating or changing an account."""


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id with the library's current recommended costs


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def password_problem(password: str, username: str = "") -> Optional[str]:
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Passwords need at least {MIN_PASSWORD_LENGTH} characters."
    if username and username.lower() in password.lower():
        return "The password must not contain the username."
    return None


def create_user(engine: Engine, username: str, password: str, role: str, must_change: bool = False) -> None:
    username = username.strip().lower()
    if not USERNAME_RE.match(username):
        raise AccountError("Usernames are 2-64 lower-case letters, digits, '.', '_' or '-'.")
    if role not in users.ROLES:
        raise AccountError(f"The role must be one of: {', '.join(users.ROLES)}.")
    problem = password_problem(password, username)
    if problem:
        raise AccountError(problem)
    with engine.begin() as conn:
        if users.get(conn, username):
            raise AccountError(f"There is already a user called {username}.")
        users.insert(conn, username, hash_password(password), role, must_change)


def set_password(conn: Connection, username: str, password: str, must_change: bool = False) -> None:
    user = users.get(conn, username)
    if not user:
        raise AccountError(f"No user called {username}.")
    problem = password_problem(password, username)
    if problem:
        raise AccountError(problem)
    users.update(conn, username, password_hash=hash_password(password), must_change_password=must_change)
    users.end_all_sessions(conn, user["id"])  # a new password logs out every other session


def authenticate(conn: Connection, username: str, password: str) -> Tuple[Optional[Dict[str, Any]], str]:
    """(user, "") on success, (None, reason) otherwise; the reason goes to the audit log only."""
    username = username.strip().lower()
    if audit.failures_since(conn, username, time.time() - FAILURE_WINDOW) >= MAX_FAILURES:
        return None, "too many failures"
    user = users.get(conn, username)
    if not user or not user["active"]:
        # Hash anyway, so a missing user takes as long to refuse as a wrong password.
        _verify(_dummy_hash(), password)
        return None, "unknown or disabled user"
    if not _verify(user["password_hash"], password):
        return None, "wrong password"
    if _hasher().check_needs_rehash(user["password_hash"]):
        users.update(conn, username, password_hash=hash_password(password))
    return user, ""


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def bootstrap_admin(engine: Engine, environ: Mapping[str, str]) -> Optional[str]:
    """Makes sure someone can log in to a new console; returns a message to print, if any.

    With ``CONSOLE_ADMIN_USER`` and ``CONSOLE_ADMIN_PASSWORD`` set, that admin is created if
    missing. Otherwise, when there are no users at all, an ``admin`` is created with a random
    one-time password that must be changed at first login.
    """
    name = environ.get("CONSOLE_ADMIN_USER", "").strip().lower()
    password = environ.get("CONSOLE_ADMIN_PASSWORD", "")
    with engine.connect() as conn:
        existing = users.get(conn, name) if name else None
        no_users = users.count(conn) == 0
    if name and password:
        if existing:
            return None
        create_user(engine, name, password, "admin")
        return f"Created the console admin '{name}' from CONSOLE_ADMIN_USER."
    if not no_users:
        return None
    name = name or "admin"
    one_time = secrets.token_urlsafe(12)
    create_user(engine, name, one_time, "admin", must_change=True)
    return (f"Created the console admin '{name}' with the one-time password: {one_time}\n"
            "  (you will be asked to choose a new one when you first log in)")
