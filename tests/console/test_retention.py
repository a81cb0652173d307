"""bot/console/db/retention.py and the CLI: deleting conversations, checked in the database."""

import time

import pytest
import sqlalchemy as sa

from bot.console import cli
from bot.console.db import retention, review, schema, summary
from tests.console.conftest import add, conversation


def count(engine, table, sender_id=None):
    query = sa.select(sa.func.count()).select_from(table)
    if sender_id:
        query = query.where(table.c.sender_id == sender_id)
    with engine.connect() as conn:
        return conn.execute(query).scalar()


def stored(engine):
    add(engine, conversation("old", days_ago=40).fallback("dog?"), conversation("recent", days_ago=3).faq("x", "cost"))
    summary.refresh(engine)
    with engine.begin() as conn:
        review.add_tag(conn, "old", "keep", "ada")
        review.add_note(conn, "old", "n", "ada")
        review.set_reviewed(conn, "old", "ada")
        review.set_flag(conn, "old", 1, "ada", "why")


def test_deleting_one_conversation_removes_it_everywhere(engine):
    stored(engine)
    with engine.begin() as conn:
        assert retention.delete_conversations(conn, ["old"]) == 1
    for table in (schema.events, *schema.PER_CONVERSATION):
        assert count(engine, table, "old") == 0, table.name
    assert count(engine, schema.events, "recent") > 0 and count(engine, schema.conversations) == 1


def test_retention_deletes_only_conversations_past_the_period(engine):
    stored(engine)
    assert retention.delete_older_than(engine, days=30) == 1
    assert count(engine, schema.events, "old") == 0 and count(engine, schema.tags) == 0
    assert count(engine, schema.events, "recent") > 0
    assert retention.delete_older_than(engine, days=2, now=time.time()) == 1
    assert count(engine, schema.events) == 0 and count(engine, schema.conversations) == 0
    with pytest.raises(ValueError):
        retention.delete_older_than(engine, days=0)


def test_cli_retention_and_delete_on_request(engine, database_url, monkeypatch, capsys):
    stored(engine)
    monkeypatch.setenv("CONSOLE_DB_URL", database_url)
    monkeypatch.setenv("RETENTION_DAYS", "30")
    assert cli.main(["retention"]) == 0
    assert "Deleted 1 conversation" in capsys.readouterr().out
    assert count(engine, schema.events, "old") == 0
    assert cli.main(["delete", "recent"]) == 0
    assert count(engine, schema.events) == 0
    assert cli.main(["delete", "recent"]) == 1, "a second delete finds nothing"
    with engine.connect() as conn:
        actions = conn.execute(sa.select(schema.audit.c.action)).scalars().all()
    assert actions.count("retention") == 1 and actions.count("delete") == 2


def test_cli_retention_needs_a_period(engine, database_url, monkeypatch):
    monkeypatch.setenv("CONSOLE_DB_URL", database_url)
    monkeypatch.delenv("RETENTION_DAYS", raising=False)
    assert cli.main(["retention"]) == 2
