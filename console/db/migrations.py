"""Creates and upgrades the console's tables: a numbered list of steps, each applied once.

``console_schema_versions`` records what has been applied. A new step is appended to
``MIGRATIONS`` (never edit an applied one). On PostgreSQL an advisory lock stops two
processes (the console and a CLI command) migrating at the same moment.
"""

from __future__ import annotations

import logging
import time
from typing import Callable, List, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from console.db import schema

logger = logging.getLogger(__name__)
_LOCK_ID = 5_080_001  # any constant; identifies "console migrations" among advisory locks


def _create_tables(conn: Connection) -> None:
    # The events table too, so the console works on a database the bot has not used yet.
    schema.rasa_metadata.create_all(conn, checkfirst=True)
    schema.metadata.create_all(conn, checkfirst=True)


def _trigram_search_index(conn: Connection) -> None:
    """Free-text search with ``LIKE '%words%'`` uses a trigram index on PostgreSQL."""
    if conn.dialect.name != "postgresql":
        return
    try:
        with conn.begin_nested():
            conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
            conn.execute(
                sa.text(
                    "CREATE INDEX IF NOT EXISTS ix_console_conv_search_trgm "
                    "ON console_conversations USING gin (search_text gin_trgm_ops)"
                )
            )
    except sa.exc.DBAPIError as error:  # no rights to create extensions: search still works, slower
        logger.warning("No trigram index for console search (%s)", error.orig)


def _list_order_index(conn: Connection) -> None:
    """Deep pages of the list: an index in its exact order (replaces one on started_at alone)."""
    conn.execute(
        sa.text(
            "CREATE INDEX IF NOT EXISTS ix_console_conv_started_sender "
            "ON console_conversations (started_at, sender_id)"
        )
    )
    conn.execute(sa.text("DROP INDEX IF EXISTS ix_console_conv_started"))


def _daily_rollups(conn: Connection) -> None:
    """Analytics read per-day totals: create them, filled from the summaries already there."""
    from console.db import rollups

    for table in (schema.daily, schema.daily_topics):
        table.create(conn, checkfirst=True)
    conn.execute(
        sa.text(
            "CREATE INDEX IF NOT EXISTS ix_console_conv_started_day ON console_conversations (started_day)"
        )
    )
    rollups.rebuild_all(conn)


def _erasable_filings(conn: Connection) -> None:
    """Filings per message (erased with their conversation); no visitor text in the audit log;
    an index for the login throttle's per-address count."""
    from console.db import audit

    schema.filings.create(conn, checkfirst=True)
    if sa.inspect(conn).has_table("console_assignments"):
        conn.execute(
            sa.text(
                "INSERT INTO console_filings (event_id, sender_id, text, topic, bot_topic, reason, filed_by, filed_at) "
                "SELECT u.event_id, u.sender_id, u.text, a.topic, u.intent, 'unanswered', a.assigned_by, a.assigned_at "
                "FROM console_unanswered u JOIN console_assignments a ON a.normalized = u.normalized"
            )
        )
        conn.execute(sa.text("DROP TABLE console_assignments"))
    a = schema.audit
    conn.execute(a.update().where(a.c.action == "assign").values(target=""))  # it held the question's words
    for row in conn.execute(sa.select(a.c.id, a.c.detail).where(a.c.detail.like("%q=%"))).all():
        conn.execute(a.update().where(a.c.id == row.id).values(detail=audit.without_search(row.detail)))
    conn.execute(
        sa.text(
            "CREATE INDEX IF NOT EXISTS ix_console_audit_addr_action_at "
            "ON console_audit (remote_addr, action, at)"
        )
    )


def _risk_and_start_page(conn: Connection) -> None:
    """The crisis queue (its possible-risk list, the message that set off the safety net), the
    start page, and first messages that skip payloads: new columns, then every conversation
    summarised again on the next refresh."""
    from console.db import summary

    columns = {column["name"] for column in sa.inspect(conn).get_columns("console_conversations")}
    if "start_page" not in columns:
        conn.execute(
            sa.text(
                "ALTER TABLE console_conversations ADD COLUMN start_page VARCHAR(255) NOT NULL DEFAULT ''"
            )
        )
    if "possible_risk" not in columns:
        conn.execute(
            sa.text(
                "ALTER TABLE console_conversations ADD COLUMN possible_risk BOOLEAN NOT NULL DEFAULT false"
            )
        )
    if "crisis_message" not in columns:
        conn.execute(
            sa.text("ALTER TABLE console_conversations ADD COLUMN crisis_message TEXT NOT NULL DEFAULT ''")
        )
    schema.risk_messages.create(conn, checkfirst=True)
    summary.set_state(conn, summary.WATERMARK, "0")


def _feedback(conn: Connection) -> None:
    """Visitors' votes on answers: their table, the thumbs-down mark on the improvement queue,
    and every conversation summarised again so votes already stored are counted."""
    from console.db import summary

    columns = {column["name"] for column in sa.inspect(conn).get_columns("console_unanswered")}
    if "rated_unhelpful" not in columns:
        conn.execute(
            sa.text(
                "ALTER TABLE console_unanswered ADD COLUMN rated_unhelpful BOOLEAN NOT NULL DEFAULT false"
            )
        )
    schema.feedback.create(conn, checkfirst=True)
    summary.set_state(conn, summary.WATERMARK, "0")


MIGRATIONS: List[Tuple[int, str, Callable[[Connection], None]]] = [
    (1, "console tables", _create_tables),
    (2, "trigram index for free-text search (PostgreSQL)", _trigram_search_index),
    (3, "index in the list's order", _list_order_index),
    (4, "daily roll-ups for analytics", _daily_rollups),
    (5, "filings per message; no visitor text in the audit log", _erasable_filings),
    (6, "possible-risk messages, start page, first typed message", _risk_and_start_page),
    (7, "visitors' votes on answers; thumbs down in the improvement queue", _feedback),
]


def current_version(conn: Connection) -> int:
    if not sa.inspect(conn).has_table(schema.schema_versions.name):
        return 0
    return conn.execute(sa.select(sa.func.max(schema.schema_versions.c.version))).scalar() or 0


def migrate(engine: Engine) -> int:
    """Applies the steps not yet applied; returns the schema version now in force."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
        version = current_version(conn)
        if version == 0:
            schema.schema_versions.create(conn, checkfirst=True)
        for number, description, step in MIGRATIONS:
            if number <= version:
                continue
            logger.info("Console schema: applying %s (%s)", number, description)
            step(conn)
            conn.execute(
                schema.schema_versions.insert().values(
                    version=number, description=description, applied_at=time.time()
                )
            )
            version = number
    return version
