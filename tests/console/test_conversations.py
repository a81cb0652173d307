"""console/db/conversations.py: the filtered, paginated list and the transcript."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bench.synthetic import ConversationBuilder
from console.db import conversations, review, summary
from console.filters import Filters
from tests.console.conftest import add, conversation

ZONE = ZoneInfo("Europe/London")


@pytest.fixture
def stored(engine):
    add(
        engine,
        conversation("old-crisis", days_ago=20, channel="telegram").crisis("I want to die"),
        conversation("cost-fallback", days_ago=5).faq("how much?", "cost").fallback("do you take bupa"),
        conversation("referral", days_ago=2, channel="socketio").faq("how do I get referred", "referral"),
        conversation("unsure", days_ago=1).faq("what is it", "what_is", confidence=0.4),
        conversation("percent", days_ago=0.5).faq("is it 100% private_ly", "what_is"),
    )
    summary.refresh(engine)
    with engine.begin() as conn:
        review.set_reviewed(conn, "referral", "ada")
        review.add_tag(conn, "cost-fallback", "follow up", "ada")
    return engine


def ids(engine, **args):
    with engine.connect() as conn:
        page = conversations.list_page(conn, Filters.parse(args), ZONE)
    return [row["sender_id"] for row in page.rows]


def test_newest_first_without_filters(stored):
    assert ids(stored) == ["percent", "unsure", "referral", "cost-fallback", "old-crisis"]


@pytest.mark.parametrize(
    "args, expected",
    [
        ({"crisis": "yes"}, ["old-crisis"]),
        ({"crisis": "no", "channel": "rest"}, ["percent", "unsure", "cost-fallback"]),
        ({"channel": "socketio"}, ["referral"]),
        ({"topic": "faq/cost"}, ["cost-fallback"]),
        ({"unanswered": "yes"}, ["unsure", "cost-fallback"]),
        ({"referral": "yes"}, ["referral", "old-crisis"]),
        ({"reviewed": "yes"}, ["referral"]),
        ({"reviewed": "no", "unanswered": "no"}, ["percent", "old-crisis"]),
        ({"tag": "follow up"}, ["cost-fallback"]),
        ({"q": "BUPA"}, ["cost-fallback"]),
        ({"q": "100%"}, ["percent"]),
        ({"q": "e_l"}, ["percent"]),  # _ is a literal underscore, not LIKE's any-character
        ({"q": "nothing like this"}, []),
    ],
)
def test_each_filter(stored, args, expected):
    assert ids(stored, **args) == expected


def test_date_range_is_inclusive_in_local_days(engine):
    def at(day, hour, minute=0):
        return datetime(2026, 3, day, hour, minute, tzinfo=ZONE).timestamp()

    for name, start in (("late-on-1st", at(1, 23, 50)), ("2nd", at(2, 9)), ("early-on-3rd", at(3, 0, 5))):
        add(engine, ConversationBuilder(name, start).faq("cost?", "cost"))
    summary.refresh(engine)
    assert ids(engine, date_from="2026-03-02", date_to="2026-03-02") == ["2nd"]
    assert ids(engine, date_from="2026-03-02") == ["early-on-3rd", "2nd"]
    assert ids(engine, date_to="2026-03-02") == ["2nd", "late-on-1st"]


def test_pages_and_totals(stored):
    with stored.connect() as conn:
        first = conversations.list_page(conn, Filters.parse({}), ZONE, page_size=2)
        third = conversations.list_page(conn, Filters.parse({"page": "3"}), ZONE, page_size=2)
    assert first.total == 5 and first.pages == 3
    assert [row["sender_id"] for row in third.rows] == ["old-crisis"]


def test_rows_carry_review_state_and_tags(stored):
    with stored.connect() as conn:
        rows = {row["sender_id"]: row for row in conversations.list_page(conn, Filters(), ZONE).rows}
    assert rows["referral"]["reviewed_by"] == "ada"
    assert rows["cost-fallback"]["tags"] == ["follow up"]


def test_transcript_has_messages_in_order_with_review_state(stored):
    with stored.begin() as conn:
        review.add_note(conn, "cost-fallback", "called back", "ada")
        transcript = conversations.transcript(conn, "cost-fallback", 0.5)
    speakers = [m.speaker for m in transcript.messages]
    assert speakers[:3] == ["event", "user", "bot"]
    assert [m.text for m in transcript.messages if m.speaker == "user"] == ["how much?", "do you take bupa"]
    assert transcript.tags == ["follow up"] and transcript.notes[0]["body"] == "called back"
    with stored.connect() as conn:
        assert conversations.transcript(conn, "nobody", 0.5) is None


def test_filters_parse_ignores_nonsense():
    filters = Filters.parse({"date_from": "yesterday", "crisis": "maybe", "page": "-3", "tag": "<b>"})
    assert filters == Filters() and filters.problems
    assert Filters.parse({"crisis": "yes", "page": "2"}).query_args() == {"crisis": "yes", "page": "2"}
    assert Filters.parse({"date_to": "2026-01-31"}).date_to == date(2026, 1, 31)
