"""End to end: what a visitor types is redacted in the database, and the console reads it.

Runs the real Rasa and action servers (``tests/support/servers.py``), then looks straight
at the ``events`` table the tracker store wrote.
"""

import json

import pytest
import sqlalchemy as sa

from bot.settings import practice
from console.db import conversations, make_engine, summary
from console.db.migrations import migrate
from console.filters import Filters
from tests.support.servers import running_bot

pytestmark = pytest.mark.model

PERSONAL = {
    "email": "jo.bloggs@example.com",
    "phone": "07700 900123",
    "postcode": "SW1A 1AA",
    "NHS number": "943 476 5919",
}


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    with running_bot(tmp_path_factory.mktemp("privacy")) as running:
        yield running


def test_personal_data_never_reaches_the_events_table(bot):
    bot.say("private-1", "hello")
    bot.say("private-1", f"my email is {PERSONAL['email']} and my number is {PERSONAL['phone']}")
    bot.say("private-1", f"I live at {PERSONAL['postcode']}, NHS number {PERSONAL['NHS number']}")
    replies = bot.say("private-1", "how do I get referred")
    assert practice().phone in " ".join(reply.get("text", "") for reply in replies)

    with sa.create_engine(bot.db_url).connect() as conn:
        rows = conn.execute(
            sa.text("select type_name, data from events where sender_id = 'rest:private-1'")
        ).fetchall()
    stored = "\n".join(row.data for row in rows)
    for kind, value in PERSONAL.items():
        assert value not in stored, f"the {kind} was stored"
        assert value.replace(" ", "") not in stored.replace(" ", "")
    user_texts = [json.loads(row.data)["text"] for row in rows if row.type_name == "user"]
    assert "[email]" in user_texts[1] and "[phone]" in user_texts[1]
    assert "[postcode]" in user_texts[2] and "[NHS number]" in user_texts[2]
    assert practice().phone in stored, "the practice's own number, in the bot's replies, is kept"


def test_the_console_summarises_real_stored_conversations(bot):
    bot.say("console-1", "how much does it cost?")
    bot.say("console-1", "I want to kill myself")
    engine = make_engine(bot.db_url)
    migrate(engine)
    summary.refresh(engine)
    with engine.connect() as conn:
        page = conversations.list_page(conn, Filters(crisis=True), summary.ZoneInfo("Europe/London"))
        transcript = conversations.transcript(conn, "rest:console-1", 0.5)
    row = next(row for row in page.rows if row["sender_id"] == "rest:console-1")
    assert row["channel"] == "rest" and row["referral_offered"] and "faq/cost" in row["topics"].split()
    replies = [m.reply for m in transcript.messages if m.speaker == "bot"]
    assert "utter_faq/cost" in replies and "utter_crisis" in replies
