"""Service promises live in practice.yml: no answer writes them in, so a practice that
promises something else changes one file."""

import pytest

from bot.settings import load_practice
from tests.support.project import domain, faq_responses

PROMISES = load_practice(environ={})
WORDING = [
    PROMISES.first_appointment,
    PROMISES.who_you_meet,
    PROMISES.hours,
    PROMISES.hours_url,
    PROMISES.website,
    "48 hours",
    "consultant of your choice",
]


def all_responses():
    return {**faq_responses(), **domain()["responses"]}


@pytest.mark.parametrize("name", sorted(all_responses()))
def test_no_response_writes_in_a_practice_promise(name):
    for variant in all_responses()[name]:
        for wording in WORDING:
            assert wording.lower() not in variant.get("text", "").lower(), (
                f"write the placeholder, not {wording!r}"
            )


def test_referral_and_handoff_quote_the_promises():
    for text in (
        faq_responses()["utter_faq/referral"][0]["text"],
        domain()["responses"]["utter_handoff"][0]["text"],
    ):
        assert "{practice_first_appointment}" in text and "{practice_who_you_meet}" in text
    assert "{practice_hours_url}" in domain()["responses"]["utter_handoff"][0]["text"]
