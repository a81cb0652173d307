"""Tracker-store setups measured by the benchmark (bench/setups.py), not shipped.

``WalSQLiteStore`` is the product's store with SQLite in write-ahead-log mode and
``synchronous=NORMAL``: a commit appends to the log without waiting for the disk (fsync
happens at checkpoints). Rasa's SQL store commits on the event loop, so under load every
fsync stalls every conversation; the profile in docs/performance.md shows how much. The
trade: a power cut (not a crash of the process) can lose the last moments' turns.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from bot.storage.durable import DurableTrackerStore


def _wal_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class WalSQLiteStore(DurableTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            self.engine.dispose()  # connections opened before the listener get no pragmas
            event.listen(self.engine, "connect", _wal_pragmas)
