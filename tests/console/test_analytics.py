"""console/db/analytics.py and charts.py: the numbers and their SVG charts."""

from datetime import datetime
from zoneinfo import ZoneInfo

from bench.synthetic import ConversationBuilder
from console import charts
from console.db import analytics, summary
from console.filters import Filters
from tests.console.conftest import add

ZONE = ZoneInfo("Europe/London")


def at(day, hour=12):
    return datetime(2026, 3, day, hour, tzinfo=ZONE).timestamp()


def test_totals_rates_series_topics_and_channels(engine):
    add(
        engine,
        ConversationBuilder("a", at(1)).faq("cost?", "cost").fallback("dog?"),
        ConversationBuilder("b", at(1), "telegram").faq("refer me", "referral").faq("cost again", "cost"),
        ConversationBuilder("c", at(3)).crisis("I want to die"),
    )
    summary.refresh(engine)
    with engine.connect() as conn:
        numbers = analytics.compute(conn, Filters())
        telegram = analytics.compute(conn, Filters(channel="telegram"))
        march_3 = analytics.compute(conn, Filters.parse({"date_from": "2026-03-03"}))
    assert numbers.conversations == 3 and numbers.user_messages == 5
    assert numbers.fallback_rate == 1 / 5
    assert numbers.referral_conversations == 2 and round(numbers.referral_rate, 3) == 0.667
    assert numbers.crisis_conversations == 1 and numbers.unanswered_conversations == 1
    assert numbers.per_day == [("2026-03-01", 2, 0, 1), ("2026-03-02", 0, 0, 0), ("2026-03-03", 1, 1, 1)]
    assert numbers.top_topics[0] == ("faq/cost", 2)
    assert dict(numbers.by_channel) == {"rest": 2, "telegram": 1}
    assert telegram.conversations == 1 and dict(telegram.top_topics) == {"faq/cost": 1, "faq/referral": 1}
    assert march_3.conversations == 1 and march_3.top_topics == [("crisis", 1)]


def test_no_conversations_gives_zeros_not_errors(engine):
    with engine.connect() as conn:
        numbers = analytics.compute(conn, Filters())
    assert (numbers.conversations, numbers.fallback_rate, numbers.per_day) == (0, 0.0, [])


def test_charts_escape_labels_and_handle_no_data():
    svg = charts.bar_chart([("<script>alert(1)</script>", 3)], "Top & topics")
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "Top &amp; topics" in svg
    assert "No data" in charts.column_chart([], "Per day") and "No data" in charts.bar_chart([], "x")
    column = charts.column_chart([("03-01", 4), ("03-02", 0)], "Per day")
    assert column.count('class="bar"') == 2 and "style=" not in column


def test_daily_rollups_always_equal_the_conversations_they_sum(engine):
    import sqlalchemy as sa

    from console.db import retention, schema

    def from_rollups():
        with engine.connect() as conn:
            numbers = analytics.compute(conn, Filters())
        return numbers.conversations, numbers.fallback_messages, dict(numbers.top_topics)

    def from_summaries():
        c, t = schema.conversations, schema.conversation_topics
        with engine.connect() as conn:
            total = conn.execute(
                sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(c.c.fallback_count), 0))
            ).one()
            topics = dict(conn.execute(sa.select(t.c.topic, sa.func.count()).group_by(t.c.topic)).all())
        return int(total[0]), int(total[1]), topics

    add(
        engine,
        ConversationBuilder("a", at(1)).faq("cost?", "cost"),
        ConversationBuilder("b", at(2)).crisis("x"),
    )
    summary.refresh(engine)
    assert from_rollups() == from_summaries() == (2, 0, {"faq/cost": 1, "crisis": 1})
    add(engine, ConversationBuilder("a", at(1, 13)).fallback("dog?").rows()[3:])  # "a" carries on
    summary.refresh(engine)
    assert from_rollups() == from_summaries() == (2, 1, {"faq/cost": 1, "crisis": 1})
    with engine.begin() as conn:
        retention.delete_conversations(conn, ["b"])
    assert from_rollups() == from_summaries() == (1, 1, {"faq/cost": 1})


def test_every_day_of_a_filtered_week_is_drawn_with_values(engine):
    add(
        engine,
        ConversationBuilder("a", at(4)).faq("cost?", "cost"),
        ConversationBuilder("b", at(4)).faq("x", "cost"),
    )
    summary.refresh(engine)
    with engine.connect() as conn:
        week = analytics.compute(conn, Filters.parse({"date_from": "2026-03-02", "date_to": "2026-03-08"}))
    assert [day for day, *_ in week.per_day] == [f"2026-03-0{n}" for n in range(2, 9)]
    assert [n for _, n, _, _ in week.per_day] == [0, 0, 2, 0, 0, 0, 0]
    svg = str(charts.column_chart([(day[5:], n) for day, n, _, _ in week.per_day], "Per day", width=1300))
    assert svg.count('<rect class="bar"') == 7 and svg.count('class="value"') == 7
    assert ">2</text>" in svg and "03-08" in svg


def test_the_analytics_page_names_channels_and_says_what_each_figure_counts(admin, engine):
    add(
        engine,
        ConversationBuilder("w", at(4), "socketio").faq("cost?", "cost"),
        ConversationBuilder("t", at(4), "whatsapp").fallback("dog?"),
    )
    summary.refresh(engine)
    page = admin.get("/analytics").text
    assert "Website chat" in page and "WhatsApp" in page and ">socketio<" not in page
    assert page.count('class="caption"') == 6  # each figure, and the helpfulness table
    assert "counts messages" in page and "counts conversations" in page
