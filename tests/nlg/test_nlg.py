"""Responses render with the practice's details, inside the Rasa server (no action server)."""

import asyncio

from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from bot.nlg.practice import PracticeResponseGenerator
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
    for value in (
        p.crisis_emergency,
        "A&E",
        f"NHS {p.crisis_nhs_urgent}",
        f"option {p.crisis_nhs_urgent_option}",
        p.crisis_samaritans,
        p.crisis_shout_text,
        p.phone,
    ):
        assert value in text


def test_no_placeholder_is_left_unfilled_in_any_domain_response():
    domain = Domain.load(str(ROOT / "domain.yml"))
    for name in domain.responses:
        response = render(name)
        assert "{" not in response.get("text", ""), name


def test_the_practice_promises_render_from_configuration(monkeypatch):
    # A practice changes what it promises in practice.yml (or the environment) alone.
    monkeypatch.setenv("PRACTICE_FIRST_APPOINTMENT", "usually within two weeks")
    monkeypatch.setenv("PRACTICE_WHO_YOU_MEET", "one of our therapists")
    monkeypatch.setenv("PRACTICE_HOURS_URL", "https://elm.example.org.uk/hours")
    practice.cache_clear()
    try:
        response = render("utter_handoff")
    finally:
        practice.cache_clear()
    assert "usually within two weeks" in response["text"] and "one of our therapists" in response["text"]
    assert "48 hours" not in response["text"]
    assert "https://elm.example.org.uk/hours" in response["text"]
    assert response["buttons"][1]["url"] == "https://elm.example.org.uk/hours"


def test_both_fallback_replies_carry_a_safety_line():
    p = practice()
    for name in ("utter_not_sure", "utter_still_not_sure"):
        text = render(name)["text"]
        assert p.crisis_emergency in text and p.crisis_samaritans in text, name
