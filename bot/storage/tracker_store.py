"""The conversation store the Rasa server uses (``endpoints.yml`` names this class).

Rasa's SQL tracker store, pointed at the database in ``bot.settings.tracker_db_url()``:
SQLite in ``var/`` unless ``TRACKER_DB_URL`` names PostgreSQL. Keeping the URL in one
setting means the staff console and the scripts read the same database the bot writes.
"""

from __future__ import annotations

from typing import Any, Optional, Text

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from sqlalchemy.engine.url import make_url

from bot import settings
from bot.storage.redaction import RedactingStoreMixin


class PracticeTrackerStore(RedactingStoreMixin, SQLTrackerStore):
    """SQL tracker store whose database comes from the project's settings.

    Users' personal data (emails, phone numbers, postcodes, NHS numbers) is redacted
    before it is written: see ``bot/storage/redaction.py``.
    """

    def __init__(
        self,
        domain: Optional[Domain] = None,
        host: Optional[Text] = None,
        event_broker: Optional[EventBroker] = None,
        db_url: Optional[Text] = None,
        **kwargs: Any,
    ) -> None:
        url = make_url(db_url or settings.tracker_db_url())
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
