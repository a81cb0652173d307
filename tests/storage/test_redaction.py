"""bot/storage/redaction.py: the tracker store writes user messages redacted, bot replies as sent."""

import asyncio
import json

import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.settings import practice
from bot.storage.redaction import redacted_event
from bot.storage.tracker_store import PracticeTrackerStore

PERSONAL = "I'm jo@example.com, 07700 900123, SW1A 1AA, NHS 943 476 5919"


def user(text):
    return UserUttered(text, {"name": "out_of_scope", "confidence": 0.9}, parse_data={"text": text})


def test_only_user_messages_with_personal_data_are_copied():
    plain = user("hello")
    assert redacted_event(plain) is plain
    bot = BotUttered("call 07700 900123")
    assert redacted_event(bot) is bot
    personal = user(PERSONAL)
    clean = redacted_event(personal)
    assert clean is not personal and personal.text == PERSONAL, "the live event is left alone"
    assert "@" not in clean.text and "07700" not in clean.parse_data["text"]


def test_the_database_never_holds_the_personal_data(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    store = PracticeTrackerStore(domain=Domain.load("domain.yml"), db_url=url)
    phone = practice().phone
    tracker = DialogueStateTracker.from_events("visitor", [
        ActionExecuted("action_listen"), user(PERSONAL), BotUttered(f"Call us on {phone}"),
        ActionExecuted("action_listen"), user("and my email is sam@example.org"),
    ])
    asyncio.run(store.save(tracker))
    tracker.update(BotUttered("thanks"))
    asyncio.run(store.save(tracker))  # a second save adds only the new event
    with sa.create_engine(url).connect() as conn:
        rows = conn.execute(sa.text("select type_name, data from events order by id")).fetchall()
    stored = " ".join(row.data for row in rows)
    for secret in ("jo@example.com", "07700", "SW1A", "943 476 5919", "sam@example.org"):
        assert secret not in stored
    assert phone in stored, "the practice's number in the bot's reply is kept"
    users = [json.loads(row.data) for row in rows if row.type_name == "user"]
    assert users[0]["text"] == users[0]["parse_data"]["text"] == "I'm [email], [phone], [postcode], NHS [NHS number]"
    assert [row.type_name for row in rows].count("bot") == 2
