"""Can this server answer without losing anything? What ``GET /webhooks/rest/health`` reports.

- ``ok`` (200): model loaded, conversation database and lock store answer.
- ``degraded`` (200): the database is down, but turns are journaled to local disk and
  replayed later; visitors (including anyone in crisis) are still answered. Alert on it.
- ``unavailable`` (503): no model, the lock store (Redis) is down, or the database is down
  and the journal cannot be written: messages would fail or be lost. Take the server out.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any, Dict, Tuple

from rasa.core.lock_store import RedisLockStore

PING_TIMEOUT_SECONDS = 3.0


def primary_tracker_store(agent: Any) -> Any:
    """The store behind Rasa's ``FailSafeTrackerStore`` wrapper."""
    store = getattr(agent, "tracker_store", None)
    return getattr(store, "_tracker_store", store)


async def lock_store_state(agent: Any) -> str:
    lock_store = getattr(agent, "lock_store", None)
    if not isinstance(lock_store, RedisLockStore):
        return "ok"  # in memory: always there (and only safe with a single server process)
    try:
        await asyncio.wait_for(asyncio.to_thread(lock_store.red.ping), PING_TIMEOUT_SECONDS)
        return "ok"
    except Exception:  # redis.ConnectionError, TimeoutError, auth errors: all mean "cannot lock"
        return "unreachable"


def _journal_writable(store: Any) -> bool:
    directory = getattr(getattr(store, "journal", None), "directory", None)
    if directory is None:
        return False
    existing = next((p for p in (directory, *directory.parents) if p.exists()), None)
    return existing is not None and os.access(existing, os.W_OK)


async def readiness(agent: Any) -> Tuple[int, Dict[str, Any]]:
    """(HTTP status, report) for the health endpoint."""
    if agent is None or not agent.is_ready():
        return 503, {"status": "unavailable", "model": "not loaded"}
    store = primary_tracker_store(agent)
    report: Dict[str, Any] = {"status": "ok", "model": "loaded"}
    if hasattr(store, "health"):  # DurableTrackerStore; any other store is not checked
        report.update(await store.health())
        report["journal_writable"] = _journal_writable(store)
    database_down = report.get("database", "ok") != "ok"
    report["lock_store"] = await lock_store_state(agent)
    if report["lock_store"] != "ok" or (database_down and not report["journal_writable"]):
        report["status"] = "unavailable"
    elif database_down:
        report["status"] = "degraded"
    return (503 if report["status"] == "unavailable" else 200), report
