"""console/db/retention.py and the CLI: deleting conversations, checked in the database."""

import re
import time

import pytest
import sqlalchemy as sa

from console import cli
from console.db import retention, review, schema, summary, unanswered
from tests.console.conftest import add, conversation


def count(engine, table, sender_id=None):
    query = sa.select(sa.func.count()).select_from(table)
    if sender_id:
        query = query.where(table.c.sender_id == sender_id)
    with engine.connect() as conn:
        return conn.execute(query).scalar()


def stored(engine):
    add(
        engine,
        conversation("old", days_ago=40).fallback("dog?"),
        conversation("recent", days_ago=3).faq("x", "cost"),
    )
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


def every_stored_value(engine):
    """Every cell of every table in the database, as text."""
    with engine.connect() as conn:
        for name in sa.inspect(conn).get_table_names():
            for row in conn.execute(sa.text(f'SELECT * FROM "{name}"')):
                for value in row:
                    yield name, "" if value is None else str(value)


def test_f10_deleting_a_conversation_leaves_nothing_of_it_behind(admin, engine):
    """F10: after a delete, the question's words survived in console_assignments.normalized,
    in the audit log's `assign` entry, and staff searches (q=07700 900123) in the audit log."""
    secret = "jane smithson on 07700 900123 keeps texting me, can you help"
    add(
        engine,
        conversation("victim").fallback(secret).faq("how much is it", "cost"),
        conversation("other").fallback("do you take bupa insurance"),
    )
    summary.refresh(engine)
    admin.get("/conversations?q=07700+900123")
    admin.get("/conversations?q=smithson&crisis=no")
    page = admin.get("/unanswered").text
    row = next(n for n in range(1, 10) if f'name="example-{n}" value="{secret[:40]}' in page)
    wordings = re.search(rf'name="wordings-{row}" value="([^"]*)"', page).group(1)
    filed = admin.post(
        "/unanswered/assign",
        data={
            "_csrf": admin.csrf,
            "save": str(row),
            f"topic-{row}": "request_human",
            f"wordings-{row}": wordings,
        },
    )
    assert filed.status_code == 302
    admin.post(
        "/conversations/note", data={"_csrf": admin.csrf, "sender_id": "victim", "body": "about smithson"}
    )
    with engine.connect() as conn:
        assert "smithson" in unanswered.nlu_yaml(unanswered.training_examples(conn)), "it was filed"
    done = admin.post(
        "/conversations/delete", data={"_csrf": admin.csrf, "sender_id": "victim", "confirm": "victim"}
    )
    assert done.status_code == 302
    left = [
        (table, value)
        for table, value in every_stored_value(engine)
        if "smithson" in value.lower() or "900123" in value or "07700" in value
    ]
    assert left == [], left
    assert "bupa" in " ".join(value for _, value in every_stored_value(engine)), "others' data stays"


def test_migration_5_scrubs_searches_and_filed_words_from_an_old_audit_log(engine):
    from console.db import audit
    from console.db.migrations import _erasable_filings

    with engine.begin() as conn:
        audit.record(conn, "ada", "view_list", detail="crisis=yes&q=07700+900123")
        audit.record(conn, "ada", "assign", target="jane smithson keeps texting", detail="request_human")
        _erasable_filings(conn)
    values = [value for _, value in every_stored_value(engine)]
    assert not any("900123" in value or "smithson" in value for value in values)
    assert "crisis=yes&q=%28not+kept%29" in values
