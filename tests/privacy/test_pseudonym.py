"""bot/privacy/pseudonym.py: personal conversation ids are stored as keyed hashes."""

from hypothesis import given
from hypothesis import strategies as st

from bot.privacy.pseudonym import PSEUDONYM, is_personal, storage_id

KEY = b"k" * 32


def test_platform_ids_and_personal_rest_ids_are_hashed_with_their_namespace():
    for conversation in (
        "twilio:whatsapp:+447700900123",
        "twilio:+447700900123",
        "telegram:12345",
        "slack:U123ABC",
        "messenger:998877",
        "rest:jane.doe@example.com",
        "rest:whatsapp:+4477009001",
    ):
        stored = storage_id(conversation, KEY)
        assert PSEUDONYM.fullmatch(stored), stored
        assert stored.split(":")[0] == conversation.split(":")[0]
        assert not any(part in stored for part in ("7700", "jane", "12345", "U123"))


def test_ids_that_are_not_personal_stay_readable():
    for conversation in ("rest:alice", "web:3f9c2a7e5b1d4c8a9e0f", "rest:load-17"):
        assert storage_id(conversation, KEY) == conversation and not is_personal(conversation)


def test_the_hash_depends_on_the_key_and_is_stable():
    assert storage_id("telegram:1", KEY) == storage_id("telegram:1", KEY)
    assert storage_id("telegram:1", KEY) != storage_id("telegram:1", b"j" * 32)
    assert storage_id("telegram:1", KEY) != storage_id("telegram:2", KEY)


@given(st.from_regex(r"[a-z]{1,8}:[A-Za-z0-9@+.:-]{1,40}", fullmatch=True))
def test_mapping_a_stored_id_again_changes_nothing(conversation):
    once = storage_id(conversation, KEY)
    assert storage_id(once, KEY) == once


@given(st.from_regex(r"(load|scale)-[0-9a-f]{6}-[0-9]{1,3}|scale-[0-9a-f]{8}", fullmatch=True))
def test_short_random_test_ids_are_not_mistaken_for_phone_numbers(sender):
    """The shapes bench/load_integrity.py and tests/scale use (they look conversations up by prefix)."""
    assert not is_personal(f"rest:{sender}")
