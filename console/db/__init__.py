"""The console's database layer: SQLAlchemy Core over Rasa's ``events`` table and our own tables."""

from __future__ import annotations

from typing import Any, Dict

import sqlalchemy as sa
from sqlalchemy.engine import Engine


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite waits for the bot's writes instead of failing at once."""
    kwargs: Dict[str, Any] = {"future": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
    else:
        kwargs["pool_pre_ping"] = True
        # The console's queries are short and index-driven; parallel workers cost more to start
        # than they save, and made "newest 50 with this tag" scan every conversation.
        kwargs["connect_args"] = {"options": "-c max_parallel_workers_per_gather=0"}
    return sa.create_engine(url, **kwargs)
