"""Responses render with the practice's details, inside the Rasa server (no action server)."""

import asyncio

from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from bot.nlg import PracticeResponseGenerator
from bot.settings import practice
from tests.support.project import ROOT


# Values a channel passes when it sends a response itself (bot/channels/safe_rest.py).
CHANNEL_VALUES = {"max_chars": 2000}


def render(name):
    domain = Domain.load(str(ROOT / "domain.yml"))
    generator = PracticeResponseGenerator(domain=domain)
    tracker = DialogueStateTracker("visitor", domain.slots)
    return asyncio.run(generator.generate(name, tracker, "rest", **CHANNEL_VALUES))


def test_handoff_gives_the_line_as_text_and_tel_button():
    response = render("utter_handoff")
    assert practice().phone in response["text"]
    assert response["buttons"][0]["url"] == f"tel:{practice().phone_tel}"


def test_crisis_reply_has_every_crisis_line():
    text = render("utter_crisis")["text"]
    p = practice()
    for value in (p.crisis_emergency, "A&E", f"NHS {p.crisis_nhs_urgent}", f"option {p.crisis_nhs_urgent_option}",
                  p.crisis_samaritans, p.crisis_shout_text, p.phone):
        assert value in text


def test_no_placeholder_is_left_unfilled_in_any_domain_response():
    domain = Domain.load(str(ROOT / "domain.yml"))
    for name in domain.responses:
        response = render(name)
        assert "{" not in response.get("text", ""), name
