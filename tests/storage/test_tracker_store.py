"""bot/storage/tracker_store.py at the database level, on SQLite and PostgreSQL (issue 16: F7-F9, F13)."""

import asyncio

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.privacy import pseudonym
from bot.storage.tracker_store import PracticeTrackerStore
from tests.support.postgres import scratch_database

WHATSAPP = "twilio:whatsapp:+447700900123"
TEXT = "I'm called Jane Smithson, NI QQ 12 34 56 C, ring 7700 900123"
METADATA = {"email": "jane@example.com", "practice": "p", "message_sid": "SM123"}


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path, monkeypatch):
    monkeypatch.setenv("CONVERSATION_ID_KEY", "test-key-" + "k" * 40)
    pseudonym._default_key.cache_clear()
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
    else:
        with scratch_database("trackerstore") as url:
            yield url
    pseudonym._default_key.cache_clear()


def test_a_personal_conversation_is_stored_pseudonymised_and_redacted_and_read_back_by_its_real_id(db_url):
    store = PracticeTrackerStore(domain=Domain.load("domain.yml"), db_url=db_url)
    tracker = DialogueStateTracker.from_events(
        WHATSAPP,
        [
            SessionStarted(metadata=METADATA),
            ActionExecuted("action_listen"),
            UserUttered(
                TEXT,
                {"name": "out_of_scope", "confidence": 0.9},
                metadata=METADATA,
                parse_data={"text": TEXT, "text_tokens": [[0, 3]], "metadata": METADATA},
            ),
            BotUttered("thanks"),
        ],
    )
    asyncio.run(store.save(tracker))

    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("select sender_id, data from events")).fetchall()
    engine.dispose()
    dump = " ".join(row.sender_id + " " + row.data for row in rows)
    for secret in ("7700", "whatsapp:+44", "Jane", "Smithson", "QQ 12", "jane@example.com"):
        assert secret not in dump, secret
    assert {row.sender_id for row in rows} == {pseudonym.storage_id(WHATSAPP)}
    assert '"message_sid": "SM123"' in dump and '"practice": "p"' in dump

    back = asyncio.run(store.retrieve(WHATSAPP))
    assert back.sender_id == WHATSAPP, "Rasa gets the real id back, to reply"
    assert [e.text for e in back.events if isinstance(e, UserUttered)] == [
        "I'm called [name], NI [NI number], ring [phone]"
    ]
    tracker.update(BotUttered("anything else?"))
    asyncio.run(store.save(tracker))  # the second save finds what is stored under the pseudonym
    again = asyncio.run(store.retrieve(WHATSAPP))
    assert len(again.events) == len(back.events) + 1
