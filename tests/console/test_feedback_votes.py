"""Visitors' votes on answers in the console: analytics per topic, the improvement queue, transcripts."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import sqlalchemy as sa
from conftest import add, conversation

from bench.synthetic import ConversationBuilder
from console.db import analytics, schema, summary, unanswered
from console.events import summarise
from console.filters import Filters

ZONE = ZoneInfo("Europe/London")


def _rows(builder: ConversationBuilder):
    return [(n, e["timestamp"], e["data"]) for n, e in enumerate(builder.rows(), start=1)]


def test_a_vote_is_read_with_the_topic_and_the_question_it_rates():
    chat = conversation("v").faq("what is it?", "what_is").faq("how much?", "cost").vote("what_is", False)
    found = summarise("v", _rows(chat))
    assert [(v.vote.rated_topic, v.helpful, v.question.text) for v in found.votes] == [
        ("faq/what_is", False, "what is it?")
    ]
    assert "feedback" not in found.topics  # a vote is not a topic anyone asked about


def test_the_latest_vote_per_topic_counts_and_votes_on_unanswered_topics_do_not():
    chat = (
        conversation("v")
        .faq("what is it?", "what_is")
        .vote("what_is", False)
        .vote("what_is", True)
        .vote("cost", False)
    )  # never answered here: a forged or stale payload
    found = summarise("v", _rows(chat))
    assert [(v.vote.rated_topic, v.helpful) for v in found.votes] == [("faq/what_is", True)]


def test_tell_me_more_keeps_the_first_parts_question():
    chat = (
        conversation("v")
        .faq("does it work?", "evidence")
        .user("/faq_more", "faq_more", 1.0)
        .reply("utter_more_evidence")
        .listen()
        .vote("evidence", True)
    )
    assert summarise("v", _rows(chat)).votes[0].question.text == "does it work?"


def test_analytics_count_votes_per_topic_with_their_share(engine):
    add(
        engine,
        conversation("a", channel="socketio").faq("what is it?", "what_is").vote("what_is", True),
        conversation("b", channel="socketio")
        .faq("what is psychodynamic therapy", "what_is")
        .vote("what_is", False),
        conversation("c", channel="whatsapp")
        .faq("what is it", "what_is")
        .vote("what_is", True)
        .faq("price?", "cost")
        .vote("cost", False),
    )
    summary.refresh(engine)
    with engine.connect() as conn:
        rows = analytics.helpfulness(conn, Filters(), ZONE)
        web = analytics.helpfulness(conn, Filters(channel="socketio"), ZONE)
    assert [(h.topic, h.helpful, h.not_helpful) for h in rows] == [("faq/what_is", 2, 1), ("faq/cost", 0, 1)]
    assert round(rows[0].share, 3) == 0.667
    assert [(h.topic, h.helpful, h.not_helpful) for h in web] == [("faq/what_is", 1, 1)]


def test_a_thumbs_down_puts_its_question_in_the_improvement_queue(engine):
    add(
        engine,
        conversation("a").faq("can i bring my dog", "what_is").vote("what_is", False),
        conversation("b").faq("what is it?", "what_is").vote("what_is", True),
    )
    summary.refresh(engine)
    with engine.connect() as conn:
        found = unanswered.wordings(conn, Filters(), ZONE)
        marked = conn.execute(sa.select(schema.unanswered.c.text, schema.unanswered.c.rated_unhelpful)).all()
    assert [(w.example, w.unhelpful, w.best_guess) for w in found] == [
        ("can i bring my dog", 1, "faq/what_is")
    ]
    assert marked == [("can i bring my dog", True)]


def test_the_queue_and_analytics_pages_show_votes(engine, admin):
    add(
        engine,
        conversation("a", channel="telegram").faq("can i bring my dog", "what_is").vote("what_is", False),
    )
    summary.refresh(engine)
    page = admin.get("/analytics").text
    assert "Were the answers helpful?" in page and "What psychodynamic therapy is" in page
    assert '<td class="num">0</td><td class="num">1</td><td class="num">0%</td>' in page
    queue = admin.get("/unanswered").text
    assert "can i bring my dog" in queue and "1 rated not helpful" in queue
    transcript = admin.get("/transcript/a").text
    assert "This answer did not help" in transcript and "/feedback{" not in transcript


def test_deleting_a_conversation_deletes_its_votes(engine, admin):
    from console.db.retention import delete_conversations

    add(engine, conversation("a").faq("what is it?", "what_is").vote("what_is", True))
    summary.refresh(engine)
    with engine.begin() as conn:
        delete_conversations(conn, ["a"])
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.feedback)).scalar() == 0
