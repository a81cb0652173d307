"""Reading the detectors' risk and the visitor's typed answer to the check-in."""

import pytest

from bot.policies.check_in import NO, UNCLEAR, YES, Risk, normalise, read_answer


@pytest.mark.parametrize(
    "text",
    [
        "no",
        "No.",
        "nope",
        "nah",
        "not really",
        "Not really, thanks",
        "no I'm fine",
        "No, I’m fine!!",
        "i'm ok",
        "no thanks just asking",
        "definitely not",
        "no no",
        "I'm safe",
        "/deny",
        "never",
        "no im not thinking about that",
        "nothing like that",
    ],
)
def test_clear_noes(text):
    assert read_answer(text) == NO


@pytest.mark.parametrize(
    "text",
    [
        "yes",
        "Yeah",
        "yep",
        "kind of",
        "kinda",
        "sort of",
        "maybe",
        "a bit",
        "sometimes",
        "i think so",
        "no... well sometimes",
        "no but i think about it",
        "not sure",
        "idk",
        "/affirm",
        "yes i am",
    ],
)
def test_yes_and_hedges(text):
    assert read_answer(text) == YES


@pytest.mark.parametrize("text", ["how much does it cost?", "what do you mean", "i am", ""])
def test_anything_else_is_unclear(text):
    assert read_answer(text) == UNCLEAR


def test_intent_decides_only_when_the_words_do_not():
    assert read_answer("absolutely", intent="affirm") == YES
    assert read_answer("i wouldn't", intent="deny") == NO
    assert read_answer("kind of", intent="deny") == YES


def test_any_risk_the_detectors_found_makes_the_answer_worrying():
    assert read_answer("no", risk=Risk("check_in", 0.5)) == YES
    assert read_answer("no", risk=Risk()) == NO


def test_risk_is_read_defensively():
    assert Risk.of(None) == Risk()
    assert Risk.of({"risk": "high"}) == Risk()
    assert Risk.of({"risk": {"level": "panic", "score": "x", "kinds": ["self", "made_up"]}}) == Risk(
        "none", 0.0, ("self",)
    )
    assert (
        Risk.of({"risk": {"level": "crisis", "score": 0.9, "kinds": ["other_person"]}}).reply_kind
        == "other_person"
    )
    assert Risk().reply_kind == "self"


def test_normalise():
    assert normalise("  No,   I’M fine!! ") == "no i'm fine"
