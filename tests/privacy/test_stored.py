"""bot/privacy/stored.py (and the tracker store that uses it): what reaches the database."""

import asyncio
import json

import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.privacy.stored import allowed_metadata, token_offsets
from bot.privacy.stored import stored_event as redacted_event
from bot.settings import practice
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
    """Also: the file is readable by its owner only."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    store = PracticeTrackerStore(domain=Domain.load("domain.yml"), db_url=url)
    phone = practice().phone
    tracker = DialogueStateTracker.from_events(
        "visitor",
        [
            ActionExecuted("action_listen"),
            user(PERSONAL),
            BotUttered(f"Call us on {phone}"),
            ActionExecuted("action_listen"),
            user("and my email is sam@example.org"),
        ],
    )
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
    assert (
        users[0]["text"]
        == users[0]["parse_data"]["text"]
        == "I'm [email], [phone], [postcode], NHS [NHS number]"
    )
    assert [row.type_name for row in rows].count("bot") == 2
    assert (tmp_path / "store.db").stat().st_mode & 0o777 == 0o600


def test_token_offsets_do_not_show_the_shape_of_what_was_blanked():
    text = "my name is Bartholomew Featherstonehaugh call 07700 900123"
    tokens = [[m.start(), m.end()] for m in __import__("re").finditer(r"\\S+", text)]
    event = UserUttered(
        text,
        {"name": "greet", "confidence": 0.9},
        parse_data={
            "text": text,
            "text_tokens": tokens,
            "entities": [
                {"entity": "name", "value": "Bartholomew Featherstonehaugh", "start": 11, "end": 40}
            ],
        },
    )
    clean = redacted_event(event).as_dict()["parse_data"]
    assert clean["text"] == "my name is [name] call [phone]"
    assert clean["text_tokens"] == token_offsets(clean["text"])
    short = UserUttered(
        "my name is Al call 07700 900123",
        parse_data={"text": "my name is Al call 07700 900123", "text_tokens": [[0, 2]]},
    )
    assert redacted_event(short).parse_data["text_tokens"] == clean["text_tokens"], (
        "same shape whatever the name"
    )
    assert clean["entities"] == [{"entity": "name", "value": "[redacted]"}]
    assert "Bartholomew" not in json.dumps(clean)


def test_metadata_keeps_only_allowed_keys_with_redacted_values():
    metadata = {
        "email": "jo@example.com",
        "phone": "07700 900123",
        "practice": "the-practice",
        "page": "/contact/jo@example.com",
        "picked_option": 2,
        "typed": {"nested": "x"},
    }
    assert allowed_metadata(metadata) == {
        "practice": "the-practice",
        "page": "/contact/[email]",
        "picked_option": 2,
    }
    assert allowed_metadata({"email": "jo@example.com"}) is None
    assert allowed_metadata("not a dict") is None


def test_metadata_is_filtered_on_every_event_and_in_the_session_slot():
    personal = {"email": "jo@example.com", "practice": "p"}
    message = UserUttered("hi", parse_data={"text": "hi", "metadata": personal}, metadata=personal)
    stored = json.dumps(
        [
            redacted_event(e).as_dict()
            for e in (
                message,
                SessionStarted(metadata=personal),
                SlotSet("session_started_metadata", personal),
            )
        ]
    )
    assert "jo@example.com" not in stored and '"practice": "p"' in stored


def test_the_servers_own_metadata_on_bot_messages_is_kept():
    reply = BotUttered("hello", metadata={"utter_action": "utter_greet"})
    assert redacted_event(reply).metadata == {"utter_action": "utter_greet"}, (
        "the console names replies by it"
    )
