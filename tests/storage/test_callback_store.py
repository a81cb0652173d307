"""Callback requests: the form's checks, encryption at rest, the queue and the retention period."""

import asyncio
from unittest import mock

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from bot.channels.widget import WebchatInput
from bot.settings import ConfigurationError, callback_key, callback_retention_days
from bot.storage import callbacks
from bot.storage.callbacks import DAY, Callback, CallbackStore, Invalid, checked

GOOD = {"first_name": "Sam", "phone": "07700 900123", "best_time": "morning", "consent": True}


def test_a_good_form_is_accepted_and_normalised():
    assert checked(GOOD) == Callback("Sam", "07700900123", "morning")
    assert checked({**GOOD, "first_name": "", "phone": "+44 7700 900123"}) == Callback(
        "", "07700900123", "morning"
    )
    assert checked({**GOOD, "first_name": "Anne-Marie"}).first_name == "Anne-Marie"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"phone": "12345"}, "phone"),
        ({"phone": "07700 900123 ext 4; DROP TABLE"}, "phone"),
        ({"phone": None}, "phone"),
        ({"best_time": "midnight"}, "best_time"),
        ({"consent": False}, "consent"),
        ({"consent": "yes"}, "consent"),
        ({"first_name": "<script>"}, "first_name"),
        ({"first_name": "x" * 41}, "first_name"),
        ({"first_name": 7}, "first_name"),
    ],
)
def test_each_bad_field_is_named(change, field):
    with pytest.raises(Invalid) as invalid:
        checked({**GOOD, **change})
    assert list(invalid.value.errors) == [field]


def test_not_a_form_is_refused():
    with pytest.raises(Invalid):
        checked("07700900123")


@pytest.fixture
def store(tmp_path):
    store = CallbackStore(f"sqlite:///{tmp_path / 'c.db'}", Fernet.generate_key(), retention_days=30)
    yield store
    store.dispose()


def test_details_are_encrypted_at_rest(store):
    store.add("web:abc", checked(GOOD))
    with store.engine.connect() as db:
        raw = " ".join(
            str(value) for row in db.execute(sa.text("select * from callback_requests")) for value in row
        )
    assert "900123" not in raw and "Sam" not in raw and "morning" not in raw
    (pending,) = store.pending()
    assert (
        pending.callback == Callback("Sam", "07700900123", "morning") and pending.conversation_id == "web:abc"
    )


def test_a_done_request_leaves_the_queue(store):
    first = store.add("web:a", checked(GOOD))
    store.add("web:b", checked(GOOD))
    assert store.mark_done(first) is True and store.mark_done(first) is False
    assert [p.conversation_id for p in store.pending()] == ["web:b"]


def test_requests_are_deleted_after_the_retention_period(store):
    store.add("web:old", checked(GOOD), now=1_000_000)
    store.add("web:new", checked(GOOD), now=1_000_000 + 29 * DAY)
    assert [p.conversation_id for p in store.pending(now=1_000_000 + 31 * DAY)] == ["web:new"]
    with store.engine.connect() as db:
        assert db.execute(sa.text("select count(*) from callback_requests")).scalar() == 1, (
            "deleted, not hidden"
        )


def test_another_key_cannot_read_them(store, tmp_path):
    store.add("web:a", checked(GOOD))
    other = CallbackStore(str(store.engine.url), Fernet.generate_key(), retention_days=30)
    assert [p.callback for p in other.pending()] == [None]
    other.dispose()


def test_the_key_and_retention_come_from_the_environment():
    key = Fernet.generate_key().decode()
    assert callback_key({"CALLBACK_KEY": key}) == key.encode() and callback_key({}) is None
    with pytest.raises(ConfigurationError, match="CALLBACK_KEY"):
        callback_key({"CALLBACK_KEY": "not-a-key"})
    assert (
        callback_retention_days({}) == 30 and callback_retention_days({"CALLBACK_RETENTION_DAYS": "7"}) == 7
    )


@pytest.fixture
def channel(monkeypatch, tmp_path):
    monkeypatch.setenv("WEB_ALLOWED_ORIGINS", "http://127.0.0.1:8080")
    monkeypatch.setenv("CALLBACK_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("TRACKER_DB_URL", f"sqlite:///{tmp_path / 'conversations.db'}")
    callbacks.shared_store.cache_clear()  # the server's one store, made from this environment
    channel = WebchatInput.from_credentials({"session_persistence": True, "metadata_key": "customData"})
    channel.blueprint(mock.AsyncMock())
    yield channel
    channel.callbacks.dispose()
    callbacks.shared_store.cache_clear()


def request(channel, sid, form):
    sent = []

    async def emit(event, payload=None, room=None, **kwargs):
        sent.append((event, payload, room))

    with (
        mock.patch.object(channel.sio, "emit", emit),
        mock.patch.object(channel.sio, "enter_room", mock.AsyncMock()),
    ):
        if channel.conversation_of(sid) is None and sid != "stranger":
            asyncio.run(channel.sio.handlers["/"]["session_request"](sid, {}))
            sent.clear()
        asyncio.run(channel.sio.handlers["/"]["callback_request"](sid, form))
    ((event, result, room),) = sent
    assert (event, room) == ("callback_confirm", sid)
    return result


def test_the_socket_stores_a_request_under_its_own_conversation(channel):
    assert request(channel, "tab", GOOD) == {"ok": True}
    (pending,) = channel.callbacks.pending()
    assert pending.conversation_id == channel.conversation_of("tab")


def test_the_socket_names_what_to_fix_and_stores_nothing(channel):
    result = request(channel, "tab", {**GOOD, "phone": "123"})
    assert result["ok"] is False and list(result["errors"]) == ["phone"]
    assert channel.callbacks.pending() == []


def test_a_socket_without_a_conversation_or_flooding_is_refused(channel):
    assert request(channel, "stranger", GOOD)["ok"] is False
    for _ in range(3):
        assert request(channel, "tab", GOOD)["ok"] is True
    assert request(channel, "tab", GOOD)["ok"] is False
    assert len(channel.callbacks.pending()) == 3


def test_one_field_is_checked_by_the_same_rules_as_the_form():
    from bot.storage.callbacks import field_error

    assert field_error("phone", "07700 900123") is None and field_error("phone", "+44 7700 900123") is None
    assert field_error("phone", "123") == "Enter a UK phone number, like 07700 900123."
    assert field_error("first_name", "") is None and field_error("first_name", "R2D2")
    assert field_error("best_time", "evening") is None and field_error("best_time", "noon")


def test_a_phone_number_id_is_stored_pseudonymised_and_counted(store, monkeypatch):
    from bot.privacy import pseudonym

    monkeypatch.setattr(pseudonym, "_default_key", lambda: b"k" * 32)
    store.add("twilio:whatsapp:+447700900123", checked(GOOD))
    (pending,) = store.pending()
    assert pending.conversation_id.startswith("twilio:~") and "7700" not in pending.conversation_id
    assert store.requested("twilio:whatsapp:+447700900123") == 1 and store.requested("web:other") == 0
