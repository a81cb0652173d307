"""Staff accounts: password hashing (argon2id), the password rule, login, the first admin.

No Flask here: the command line and the web app share these functions; ``security``
wires them into requests.
"""

from __future__ import annotations

import math
import re
import secrets
import time
from functools import lru_cache
from typing import Any, Dict, Mapping, Optional, Tuple

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Connection, Engine

from console.db import audit, users

MIN_PASSWORD_LENGTH = 12
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
# Throttling password guesses (login and password change alike). Failed checks in the
# window are counted per address and per account; after FREE_FAILURES, each further one
# doubles the wait before the next check (1 s, 2 s, 4 s ...), up to a cap. There is no
# lock: a wait only ever refuses a check until it has passed.
FAILURE_WINDOW = 60 * 60
FREE_FAILURES = 3
# One address guessing (any accounts): its own failures slow it down to one check in 15 min.
ADDRESS_CAP = 15 * 60
# One account guessed from many addresses: a short cap, and counted from this address's
# own last failure on the account, so nobody else's failures keep its owner out for longer.
ACCOUNT_CAP = 30


class Throttled(Exception):
    """Too many failed password checks lately: try again in ``wait`` seconds."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"try again in {math.ceil(wait)} s")
        self.wait = wait


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
    if _verify(user["password_hash"], password):
        # Also the one-time password a new or reset account logs in with.
        raise AccountError("The new password must be different from the current one.")
    users.update(conn, username, password_hash=hash_password(password), must_change_password=must_change)
    users.end_all_sessions(conn, user["id"])  # a new password logs out every other session


def _backoff(failures: int, cap: float) -> float:
    return 0.0 if failures < FREE_FAILURES else min(cap, 2.0 ** (failures - FREE_FAILURES))


def throttle_wait(conn: Connection, username: str, address: str, now: Optional[float] = None) -> float:
    """Seconds before a password check for ``username`` from ``address`` may run (0: now)."""
    now = time.time() if now is None else now
    since = now - FAILURE_WINDOW
    waits = [0.0]
    by_address = audit.failures(conn, since, address=address)
    if by_address.count:
        waits.append(by_address.last_at + _backoff(by_address.count, ADDRESS_CAP) - now)
    by_account = audit.failures(conn, since, username=username)
    mine = audit.failures(conn, since, username=username, address=address)
    if mine.count:  # a first try from a new address is never held back by others' failures
        waits.append(mine.last_at + _backoff(by_account.count, ACCOUNT_CAP) - now)
    return max(waits)


def authenticate(
    conn: Connection, username: str, password: str, address: str = "", failure: str = audit.LOGIN_FAILED
) -> Tuple[Optional[Dict[str, Any]], str]:
    """(user, "") on success, (None, reason) otherwise; the reason goes to the audit log only.

    Every failed check is written to the audit log as ``failure`` (counted by the throttle);
    a check asked for too soon raises ``Throttled`` without looking at the password.
    """
    username = username.strip().lower()[:64]
    wait = throttle_wait(conn, username, address)
    if wait > 0:
        audit.record(
            conn, username or "?", audit.THROTTLED, detail=f"wait {math.ceil(wait)} s", remote_addr=address
        )
        raise Throttled(wait)
    user = users.get(conn, username)
    if not user or not user["active"]:
        # Hash anyway, so a missing user takes as long to refuse as a wrong password.
        _verify(_dummy_hash(), password)
        reason = "unknown or disabled user"
    elif not _verify(user["password_hash"], password):
        reason = "wrong password"
    else:
        if _hasher().check_needs_rehash(user["password_hash"]):
            users.update(conn, username, password_hash=hash_password(password))
        return user, ""
    audit.record(conn, username or "?", failure, detail=reason, remote_addr=address)
    return None, reason


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
    return (
        f"Created the console admin '{name}' with the one-time password: {one_time}\n"
        "  (you will be asked to choose a new one when you first log in)"
    )


# --- accounts managed by admins in the console (views/staff.py) -------------------------


def one_time_password() -> str:
    return secrets.token_urlsafe(12)


def invite(engine: Engine, username: str, role: str) -> str:
    """A new account with a one-time password (to pass on in person); returns the password."""
    password = one_time_password()
    create_user(engine, username, password, role, must_change=True)
    return password


def reset_password(conn: Connection, username: str) -> str:
    """A one-time password replaces the user's; their sessions end. Returns the password."""
    password = one_time_password()
    set_password(conn, username, password, must_change=True)
    return password


def change_account(
    conn: Connection, actor: str, username: str, *, role: Optional[str] = None, active: Optional[bool] = None
) -> None:
    """Changes a role or enables/disables an account, keeping at least one active admin and
    never letting admins lock or demote themselves."""
    user = users.get(conn, username)
    if not user:
        raise AccountError(f"No user called {username}.")
    if role is not None and role not in users.ROLES:
        raise AccountError(f"The role must be one of: {', '.join(users.ROLES)}.")
    if username == actor and (active is False or (role is not None and role != "admin")):
        raise AccountError("You cannot disable your own account or take away your own admin role.")
    losing_admin = (
        user["role"] == "admin" and user["active"] and (active is False or (role and role != "admin"))
    )
    if losing_admin and users.active_admins(conn) <= 1:
        raise AccountError("There must always be one active admin.")
    values: Dict[str, Any] = {}
    if role is not None:
        values["role"] = role
    if active is not None:
        values["active"] = active
    users.update(conn, username, **values)
    if active is False or role is not None:
        users.end_all_sessions(conn, user["id"])  # the new rights apply from the next login
