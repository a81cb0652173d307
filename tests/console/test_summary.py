"""console/db/summary.py: the summary table follows the events table, incrementally."""

import json

import sqlalchemy as sa

from console.db import schema, summary
from tests.console.conftest import add, conversation


def summaries(engine):
    with engine.connect() as conn:
        return {row.sender_id: row for row in conn.execute(sa.select(schema.conversations))}


def watermark(engine):
    with engine.connect() as conn:
        return int(summary.get_state(conn, summary.WATERMARK) or 0)


def test_refresh_summarises_new_conversations_and_moves_the_watermark(engine):
    add(
        engine,
        conversation("a").faq("cost?", "cost"),
        conversation("b", channel="telegram").crisis("help me"),
    )
    assert summary.refresh(engine) == 2
    found = summaries(engine)
    assert found["a"].topics == "faq/cost" and not found["a"].crisis
    assert found["b"].crisis and found["b"].channel == "telegram" and found["b"].referral_offered
    with engine.connect() as conn:
        newest = conn.execute(sa.select(sa.func.max(schema.events.c.id))).scalar()
    assert watermark(engine) == newest
    assert summary.refresh(engine) == 0, "nothing new, nothing to do"


def test_new_events_of_a_known_conversation_update_its_summary(engine):
    first = conversation("a").faq("cost?", "cost")
    add(engine, first)
    summary.refresh(engine)
    more = conversation("a").fallback("can I bring my dog")
    add(engine, more.rows()[3:])  # the same sender carries on (no new session)
    assert summary.refresh(engine) == 1
    row = summaries(engine)["a"]
    assert row.fallback_count == 1 and row.unanswered and row.user_messages == 2
    with engine.connect() as conn:
        texts = conn.execute(sa.select(schema.unanswered.c.text)).scalars().all()
    assert texts == ["can I bring my dog"]


def test_an_event_committed_out_of_id_order_is_still_summarised(engine):
    add(engine, conversation("a").faq("cost?", "cost"))
    summary.refresh(engine)
    late_id = watermark(engine) - 1  # a lower id, made visible after the refresh
    with engine.begin() as conn:
        conn.execute(schema.events.delete().where(schema.events.c.id == late_id))
    summary.refresh(engine)
    crisis = conversation("z").crisis("help")
    row = crisis.rows()[3]  # the user's crisis message
    with engine.begin() as conn:
        conn.execute(schema.events.insert().values(id=late_id, **row))
    add(engine, conversation("c").faq("what is it", "what_is"))  # anything newer triggers a refresh
    summary.refresh(engine)
    assert summaries(engine)["z"].crisis


def test_refresh_in_bounded_batches_finishes_over_several_calls(engine, monkeypatch):
    monkeypatch.setattr(summary, "BATCH_EVENTS", 10)
    add(engine, *(conversation(f"s{n}").faq("cost?", "cost") for n in range(6)))
    summary.refresh(engine, max_batches=1)
    assert 0 < len(summaries(engine)) < 6
    summary.refresh(engine)
    assert len(summaries(engine)) == 6


def test_a_conversation_gone_from_events_loses_its_summary_on_recompute(engine):
    add(engine, conversation("a").faq("cost?", "cost"))
    summary.refresh(engine)
    with engine.begin() as conn:
        conn.execute(schema.events.delete())
        summary.recompute(conn, ["a"], 0.5, summary.ZoneInfo("Europe/London"))
    assert summaries(engine) == {}


def test_junk_event_data_does_not_stop_the_refresh(engine):
    with engine.begin() as conn:
        conn.execute(
            schema.events.insert().values(sender_id="j", type_name="user", timestamp=1.0, data="not json")
        )
        conn.execute(
            schema.events.insert().values(
                sender_id="j",
                type_name="user",
                timestamp=2.0,
                data=json.dumps({"event": "user", "text": "hi"}),
            )
        )
    summary.refresh(engine)
    assert summaries(engine)["j"].user_messages == 1


def test_normalize_groups_the_same_words():
    assert summary.normalize("  Can I bring my DOG?? ") == summary.normalize("can i bring my dog")
