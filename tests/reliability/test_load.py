"""A small version of `make bench-load`: 20 conversations of 5 messages at once, all answered, all stored."""

import asyncio

import pytest

from bench.load_integrity import count_stored, run_load

pytestmark = pytest.mark.model


def test_concurrent_conversations_are_all_answered_and_all_stored(default_bot):
    report = asyncio.run(run_load(default_bot.rasa_url, "load-test", conversations=20, messages=5))
    count_stored(default_bot.db_url, "load-test", report)
    assert report.problems() == []
    assert report.user_events_stored == 100 and report.bot_events_stored >= 100
