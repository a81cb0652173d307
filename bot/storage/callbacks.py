"""Callback requests from the widget: checked, stored encrypted, deleted after the retention period.

A visitor who would rather not phone leaves a number (and optionally a first name and a
best time) with their consent; staff call back and mark the request done. The details are
personal data, so they are encrypted with Fernet before they reach the database, with the
key from the environment (``CALLBACK_KEY``), never stored beside them. Every request, done
or not, is deleted ``CALLBACK_RETENTION_DAYS`` after it was made.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any, Dict, List, Optional, Union

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken

from bot.privacy.pseudonym import storage_id

BEST_TIMES = {
    "morning": "Morning (9am to 12pm)",
    "afternoon": "Afternoon (12pm to 5pm)",
    "evening": "Early evening (5pm to 7pm)",
    "any": "Any time",
}
_NAME = re.compile(r"[^\W\d_]+(?:[ '\-.][^\W\d_]+)*")  # letters, with spaces, apostrophes, hyphens
_UK_PHONE = re.compile(r"(?:0|44)\d{9,10}")
DAY = 86_400
PER_CONVERSATION = 3  # a visitor may correct a number; more is someone flooding the queue
# Valid values for every field, so one field can be checked on its own (the text channels ask
# one question at a time) by the same ``checked`` as the widget's whole form.
_VALID = {"first_name": "", "phone": "07700900123", "best_time": "any", "consent": True}

metadata = sa.MetaData()
callback_requests = sa.Table(
    "callback_requests",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("conversation_id", sa.String(160), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False, index=True),
    sa.Column("details", sa.Text, nullable=False),  # Fernet token of the visitor's details
    sa.Column("done_at", sa.Float, nullable=True),
)


class Invalid(ValueError):
    """The visitor's form had problems; ``errors`` maps each field to what to fix."""

    def __init__(self, errors: Dict[str, str]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Callback:
    first_name: str
    phone: str
    best_time: str


@dataclass(frozen=True)
class StoredCallback:
    id: int
    conversation_id: str
    created_at: float
    done_at: Optional[float]
    callback: Optional[Callback]  # None if the key no longer decrypts it


def phone_digits(raw: str) -> str:
    return re.sub(r"[\s\-().]", "", raw).lstrip("+")


def checked(form: Any) -> Callback:
    """The form as a ``Callback``, or ``Invalid`` naming each field to fix."""
    if not isinstance(form, dict):
        raise Invalid({"form": "The request was not a form."})
    errors: Dict[str, str] = {}
    name = form.get("first_name") or ""
    name = name.strip() if isinstance(name, str) else None
    if name is None or (name and (len(name) > 40 or not _NAME.fullmatch(name))):
        errors["first_name"] = "Enter a first name in letters only, or leave it empty."
    phone = form.get("phone")
    digits = phone_digits(phone) if isinstance(phone, str) else ""
    if not _UK_PHONE.fullmatch(digits):
        errors["phone"] = "Enter a UK phone number, like 07700 900123."
    best_time = form.get("best_time")
    if best_time not in BEST_TIMES:
        errors["best_time"] = "Choose the best time to call."
    if form.get("consent") is not True:
        errors["consent"] = "Tick the box to agree, so we can keep your number to call you back."
    if errors:
        raise Invalid(errors)
    if digits.startswith("44"):
        digits = "0" + digits[2:]
    # No errors: the name is a string (maybe empty) and best_time one of BEST_TIMES.
    return Callback(first_name=name or "", phone=digits, best_time=str(best_time))


def field_error(name: str, value: Any) -> Optional[str]:
    """What to fix in one field (``first_name``, ``phone``, ``best_time``, ``consent``), or None."""
    try:
        checked({**_VALID, name: value})
    except Invalid as invalid:
        return invalid.errors.get(name)
    return None


class CallbackStore:
    """The callback queue in the conversation database (its own table)."""

    def __init__(self, db: Union[str, sa.engine.Engine], key: bytes, retention_days: int) -> None:
        self._owns_engine = isinstance(db, str)
        self.engine = sa.create_engine(db) if isinstance(db, str) else db
        self.fernet = Fernet(key)
        self.retention = retention_days * DAY
        metadata.create_all(self.engine, tables=[callback_requests])

    def add(self, conversation_id: str, callback: Callback, now: Optional[float] = None) -> int:
        """Stores a request under the conversation's stored id (a phone-number id pseudonymised,
        as the console knows it)."""
        now = time.time() if now is None else now
        token = self.fernet.encrypt(json.dumps(asdict(callback)).encode("utf-8")).decode("ascii")
        with self.engine.begin() as db:
            self._purge(db, now)
            result = db.execute(
                callback_requests.insert().values(
                    conversation_id=storage_id(conversation_id), created_at=now, details=token
                )
            )
            return int(result.inserted_primary_key[0])

    def requested(self, conversation_id: str) -> int:
        """How many requests (kept, done or not) the conversation made."""
        with self.engine.connect() as db:
            return int(
                db.execute(
                    sa.select(sa.func.count())
                    .select_from(callback_requests)
                    .where(callback_requests.c.conversation_id == storage_id(conversation_id))
                ).scalar()
                or 0
            )

    def pending(self, now: Optional[float] = None) -> List[StoredCallback]:
        """Requests not yet done, oldest first (after deleting expired ones)."""
        now = time.time() if now is None else now
        with self.engine.begin() as db:
            self._purge(db, now)
            rows = db.execute(
                callback_requests.select()
                .where(callback_requests.c.done_at.is_(None))
                .order_by(callback_requests.c.created_at)
            ).fetchall()
        return [self._decrypted(row) for row in rows]

    def mark_done(self, request_id: int, now: Optional[float] = None) -> bool:
        now = time.time() if now is None else now
        with self.engine.begin() as db:
            result = db.execute(
                callback_requests.update()
                .where(callback_requests.c.id == request_id)
                .where(callback_requests.c.done_at.is_(None))
                .values(done_at=now)
            )
            return result.rowcount == 1

    def purge(self, now: Optional[float] = None) -> int:
        with self.engine.begin() as db:
            return self._purge(db, time.time() if now is None else now)

    def _purge(self, db: Any, now: float) -> int:
        return db.execute(
            callback_requests.delete().where(callback_requests.c.created_at < now - self.retention)
        ).rowcount

    def _decrypted(self, row: Any) -> StoredCallback:
        try:
            callback: Optional[Callback] = Callback(
                **json.loads(self.fernet.decrypt(row.details.encode("ascii")))
            )
        except (InvalidToken, ValueError, TypeError):
            callback = None
        return StoredCallback(row.id, row.conversation_id, row.created_at, row.done_at, callback)

    def dispose(self) -> None:
        if self._owns_engine:
            self.engine.dispose()


@lru_cache(maxsize=1)
def shared_store() -> Optional[CallbackStore]:
    """The Rasa server's one store (the widget, the text channels and the duty alert share it),
    or None when ``CALLBACK_KEY`` is unset: then no channel offers callbacks."""
    from bot import settings

    key = settings.callback_key()
    return CallbackStore(settings.tracker_db_url(), key, settings.callback_retention_days()) if key else None
