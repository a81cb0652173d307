"""The conversation store the Rasa server uses (``endpoints.yml`` names a subclass of this).

Rasa's SQL tracker store, pointed at the database in ``bot.settings.tracker_db_url()``:
SQLite in ``var/`` unless ``TRACKER_DB_URL`` names PostgreSQL. Keeping the URL in one
setting means the staff console and the scripts read the same database the bot writes.

What it adds to Rasa's store, all on the way to and from the database:

- events are written as ``bot.privacy.stored.stored_event`` copies: personal data redacted,
  token offsets rewritten, metadata through an allow-list;
- conversation ids that are personal data are stored pseudonymised
  (``bot.privacy.pseudonym.storage_id``): saving and looking up both map the id, and the
  tracker handed back to Rasa carries the real id, which it needs only in memory, to reply;
- a SQLite file is created readable and writable by this user only (0600), and so are the
  journal and WAL files SQLite makes beside it (it gives them the database's mode).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterator, Optional, Text

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.engine.url import make_url

from bot import settings
from bot.privacy.pseudonym import storage_id
from bot.privacy.stored import stored_event


def numbers_to_keep() -> tuple:
    """Numbers that are the practice's, not the user's: never redacted."""
    try:
        return (settings.practice().phone,)
    except settings.ConfigurationError:
        return ()


def private_sqlite_file(database: Optional[str]) -> None:
    """Creates (or tightens) a SQLite database file with mode 0600 before SQLite opens it."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    os.chmod(path, 0o600)
    for suffix in ("-journal", "-wal", "-shm"):
        side = Path(f"{path}{suffix}")
        if side.exists():
            os.chmod(side, 0o600)


class PracticeTrackerStore(SQLTrackerStore):
    """SQL tracker store whose database comes from the project's settings (see the module doc)."""

    def __init__(
        self,
        domain: Optional[Domain] = None,
        host: Optional[Text] = None,
        event_broker: Optional[EventBroker] = None,
        db_url: Optional[Text] = None,
        **kwargs: Any,
    ) -> None:
        url = make_url(db_url or settings.tracker_db_url())
        if url.get_backend_name() == "sqlite":
            private_sqlite_file(url.database)
        super().__init__(
            domain=domain,
            dialect=url.drivername,
            host=url.host,
            port=url.port,
            db=url.database,
            username=url.username,
            password=url.password,
            event_broker=event_broker,
            query=dict(url.query) or None,
            **kwargs,
        )

    # --- ids: the database only ever sees storage ids -------------------------------------

    def _event_query(self, session: Any, sender_id: Text, fetch_events_from_all_sessions: bool) -> Any:
        return super()._event_query(session, storage_id(sender_id), fetch_events_from_all_sessions)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's ``SQLTrackerStore.save``, writing under the storage id and stored copies of events."""
        await self.stream_events(tracker)
        stored_as, keep = storage_id(tracker.sender_id), numbers_to_keep()
        with self.session_scope() as session:
            for event in self._additional_events(session, tracker):
                data = stored_event(event, keep).as_dict()
                session.add(
                    self.SQLEvent(
                        sender_id=stored_as,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=(data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()

    def stored_events(self, tracker: DialogueStateTracker) -> Iterator[Event]:
        """The not-yet-stored events of ``tracker`` as they would be written (for the journal)."""
        keep = numbers_to_keep()
        for event in self._additional_events(None, tracker):
            yield stored_event(event, keep)
