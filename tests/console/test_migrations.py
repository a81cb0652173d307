"""console/db/schema.py and migrations.py: the tables, their versions, Rasa's events table."""

import sqlalchemy as sa

from console.db import schema
from console.db.migrations import MIGRATIONS, current_version, migrate


def test_events_mirror_matches_rasas_sql_tracker_store():
    from rasa.core.tracker_store import SQLTrackerStore

    rasa_table = SQLTrackerStore.SQLEvent.__table__
    ours = {column.name: (type(column.type), column.nullable) for column in schema.events.columns}
    theirs = {column.name: (type(column.type), column.nullable) for column in rasa_table.columns}
    assert ours == theirs


def test_migrate_creates_every_table_and_records_each_version_once(engine):
    names = set(sa.inspect(engine).get_table_names())
    assert {table.name for table in schema.metadata.sorted_tables} | {"events"} <= names
    assert migrate(engine) == MIGRATIONS[-1][0], "a second run changes nothing"
    with engine.connect() as conn:
        assert current_version(conn) == len(MIGRATIONS)
        versions = conn.execute(sa.select(schema.schema_versions.c.version)).scalars().all()
    assert sorted(versions) == [number for number, _, _ in MIGRATIONS]


def test_indexes_for_the_list_and_filters_exist(engine):
    indexes = {index["name"] for index in sa.inspect(engine).get_indexes("console_conversations")}
    assert {
        "ix_console_conv_started_sender",
        "ix_console_conv_crisis",
        "ix_console_conv_channel_started",
    } <= indexes
    assert "ix_console_conv_started" not in indexes, "migration 3 replaced it"
    if engine.dialect.name == "postgresql":
        assert "ix_console_conv_search_trgm" in indexes


def test_the_console_can_start_on_an_existing_rasa_database(engine):
    # Rasa created `events` first (here: our mirror); migrating again keeps its rows.
    with engine.begin() as conn:
        conn.execute(schema.events.insert().values(sender_id="x", type_name="user", timestamp=1.0, data="{}"))
    migrate(engine)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.events)).scalar() == 1


def test_migration_6_adds_its_columns_to_an_existing_summary_and_resummarises(engine):
    from console.db import summary

    with engine.begin() as conn:
        for column in ("start_page", "possible_risk", "crisis_message"):
            conn.execute(sa.text(f"ALTER TABLE console_conversations DROP COLUMN {column}"))
        conn.execute(schema.schema_versions.delete().where(schema.schema_versions.c.version >= 6))
        summary.set_state(conn, summary.WATERMARK, "12345")
    assert migrate(engine) == MIGRATIONS[-1][0]
    columns = {column["name"] for column in sa.inspect(engine).get_columns("console_conversations")}
    assert {"start_page", "possible_risk", "crisis_message"} <= columns
    with engine.connect() as conn:
        assert summary.get_state(conn, summary.WATERMARK) == "0", "everything is summarised again"


def test_migration_7_adds_the_votes_table_and_the_thumbs_down_mark(engine):
    from console.db import summary

    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE console_unanswered DROP COLUMN rated_unhelpful"))
        schema.feedback.drop(conn)
        conn.execute(schema.schema_versions.delete().where(schema.schema_versions.c.version == 7))
        summary.set_state(conn, summary.WATERMARK, "12345")
    assert migrate(engine) == MIGRATIONS[-1][0]
    assert "rated_unhelpful" in {c["name"] for c in sa.inspect(engine).get_columns("console_unanswered")}
    assert sa.inspect(engine).has_table("console_feedback")
    with engine.connect() as conn:
        assert summary.get_state(conn, summary.WATERMARK) == "0", "votes already stored are counted"
