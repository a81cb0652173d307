"""The tracker store endpoints.yml names: the practice's SQL store, which never silently drops a turn.

Rasa wraps every tracker store in ``FailSafeTrackerStore``. When the database fails, that
wrapper saves the conversation to an in-memory store nobody ever reads back (gone at the
next restart, growing for as long as the outage lasts) and, on a failed read, starts the
conversation afresh. This store never lets a database error reach that wrapper:

- a failed save is journaled to local disk (``bot/storage/journal.py``) and the reply
  still goes out, so a person in crisis is answered even while the database is down;
- a failed read rebuilds the conversation from what was journaled during the outage;
- when the database answers again, the journal is replayed first, oldest first, before
  anything newer is written, so every conversation's events stay in order;
- ``health()`` tells the REST channel's ``/webhooks/rest/health`` what is going on.

docs/reliability.md explains the choice (and why not a 503 instead).
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import logging
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any, Dict, Iterator, Optional, Text, Union

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine.url import URL, make_url
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from bot import settings
from bot.privacy.pseudonym import storage_id
from bot.storage.journal import Entry, Journal, Unavailable
from bot.storage.tracker_store import PracticeTrackerStore

logger = logging.getLogger(__name__)

DATABASE_DOWN = (OperationalError, InterfaceError, DisconnectionError, PoolTimeoutError)
CONNECT_TIMEOUT_SECONDS = "5"  # without it, libpq waits forever for a host that drops packets
ORPHAN_CHECK_SECONDS = 30.0  # how often to look for journals left by servers that died
MAX_REMEMBERED = 10_000  # conversations whose stored length we remember (only in flight matter)


class _SinceLastReadStore(SQLTrackerStore):
    """Writes the events added since this process last read or wrote the conversation.

    Rasa's own rule (skip as many events as the database holds for the session) goes wrong
    after an outage: a conversation restarted during it is shorter than the stored one, so
    its new events would be skipped. ``PracticeTrackerStore.save`` writes stored copies
    (redacted) of whatever this yields.
    """

    _stored_counts: "OrderedDict[str, int]"
    _replaying: Optional[DialogueStateTracker]

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Any]:
        if self._replaying is not None and tracker is self._replaying:
            return iter(list(tracker.events))
        known = self._stored_counts.get(tracker.sender_id)
        if known is None:
            return super()._additional_events(session, tracker)
        return itertools.islice(tracker.events, known, None)


class DurableTrackerStore(PracticeTrackerStore, _SinceLastReadStore):
    """``PracticeTrackerStore`` (settings, redaction, pseudonymised ids) plus the journal."""

    def __init__(
        self,
        domain: Any = None,
        host: Optional[Text] = None,
        event_broker: Any = None,
        db_url: Union[Text, URL, None] = None,
        journal_dir: Optional[Text] = None,
        **kwargs: Any,
    ) -> None:
        self._stored_counts = OrderedDict()
        self._replaying = None
        self._replay_lock = asyncio.Lock()
        self._next_orphan_check = 0.0
        self._down_since: Optional[float] = None
        url = with_connect_timeout(db_url or settings.tracker_db_url())
        # one sub-folder per database, so a journal is only ever replayed where it belongs
        self.journal = Journal(Path(journal_dir or settings.journal_dir()) / database_key(url))
        super().__init__(domain=domain, host=host, event_broker=event_broker, db_url=url, **kwargs)

    # --- what Rasa calls ----------------------------------------------------------------

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        self._remember(sender_id, 0)  # if reading fails, the new tracker is written in full
        try:
            await self.replay_journal()
            if not self.journal.pending_events(storage_id(sender_id)):  # else the database is still behind
                tracker = await super().retrieve(sender_id)
                self._database_back()
                self._remember(sender_id, len(tracker.events) if tracker else 0)
                return tracker
        except DATABASE_DOWN as error:
            self._database_down("read", error)
        tracker = self._tracker_from_journal(sender_id)
        self._remember(sender_id, len(tracker.events) if tracker else 0)
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        try:
            await self.replay_journal()
            if not self.journal.pending_events(
                storage_id(tracker.sender_id)
            ):  # else queue behind older turns
                await super().save(tracker)
                self._database_back()
                self._remember(tracker.sender_id, len(tracker.events))
                return
        except SQLAlchemyError as error:
            self._database_down("write", error)
        self._journal(tracker)  # an OSError here reaches Rasa's fail-safe: the last resort
        self._remember(tracker.sender_id, len(tracker.events))

    # --- health and replay ----------------------------------------------------------------

    async def health(self) -> Dict[str, Any]:
        """``{"database": "ok" | "unreachable", "journal_pending": n}``; replays if it can."""
        try:
            await self.replay_journal(look_for_orphans=True)
            with self.engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
            database = "ok"
        except SQLAlchemyError:
            database = "unreachable"
        return {"database": database, "journal_pending": self.journal.pending_count()}

    async def replay_journal(self, look_for_orphans: bool = False) -> int:
        """Writes what was journaled, if anything; the rest waits for the next call."""
        now = time.monotonic()
        look_for_orphans = look_for_orphans or now >= self._next_orphan_check
        if not (self.journal.has_own_entries() or look_for_orphans):
            return 0
        if look_for_orphans:
            self._next_orphan_check = now + ORPHAN_CHECK_SECONDS
        async with self._replay_lock:
            written = await self.journal.replay(self._write_entry)
        if written:
            logger.warning("Replayed %d journaled turns into the conversation database.", written)
        return written

    async def _write_entry(self, entry: Entry) -> None:
        sender_id, events = entry["sender_id"], entry["events"]
        try:
            fresh = self._not_yet_stored(sender_id, events)
            if fresh:
                self._replaying = DialogueStateTracker.from_dict(sender_id, fresh, self._slots())
                await super().save(self._replaying)
        except DATABASE_DOWN as error:
            raise Unavailable(str(error)) from error
        finally:
            self._replaying = None

    def _not_yet_stored(self, sender_id: str, events: list) -> list:
        # A server that died between writing an entry and dropping it from the journal
        # replays it again: skip events already stored (same type and timestamp).
        earliest = min((e.get("timestamp") or 0.0) for e in events) if events else 0.0
        with self.session_scope() as session:
            stored = set(
                session.query(self.SQLEvent.type_name, self.SQLEvent.timestamp).filter(
                    self.SQLEvent.sender_id == storage_id(sender_id), self.SQLEvent.timestamp >= earliest
                )
            )
        return [e for e in events if (e.get("event"), e.get("timestamp")) not in stored]

    # --- helpers ------------------------------------------------------------------------

    def _journal(self, tracker: DialogueStateTracker) -> None:
        # on disk as in the database: stored copies of the events, under the storage id
        unsaved = [event.as_dict() for event in self.stored_events(tracker)]
        if unsaved:
            self.journal.append(storage_id(tracker.sender_id), unsaved)

    def _tracker_from_journal(self, sender_id: str) -> Optional[DialogueStateTracker]:
        events = self.journal.pending_events(storage_id(sender_id))
        return DialogueStateTracker.from_dict(sender_id, events, self._slots()) if events else None

    def _slots(self) -> list:
        return list(self.domain.slots) if self.domain else []

    def _remember(self, sender_id: str, count: int) -> None:
        self._stored_counts[sender_id] = count
        self._stored_counts.move_to_end(sender_id)
        while len(self._stored_counts) > MAX_REMEMBERED:
            self._stored_counts.popitem(last=False)

    def _database_down(self, doing: str, error: Exception) -> None:
        if self._down_since is None:
            self._down_since = time.monotonic()
            logger.error(
                "Conversation database unavailable (%s failed: %s). Turns are journaled in %s "
                "and replayed when it is back.",
                doing,
                type(error).__name__,
                self.journal.directory,
            )

    def _database_back(self) -> None:
        if self._down_since is not None:
            logger.warning("Conversation database back after %.0f s.", time.monotonic() - self._down_since)
            self._down_since = None


def with_connect_timeout(db_url: Union[Text, URL]) -> URL:
    """PostgreSQL URLs get a connect timeout unless they set one (``?connect_timeout=``)."""
    url = make_url(db_url)
    if url.get_backend_name() == "postgresql" and "connect_timeout" not in url.query:
        url = url.update_query_dict({"connect_timeout": CONNECT_TIMEOUT_SECONDS})
    return url


def database_key(url: URL) -> str:
    """A short, stable name for a database (its URL without the password, hashed)."""
    return hashlib.sha256(url.render_as_string(hide_password=True).encode()).hexdigest()[:12]
