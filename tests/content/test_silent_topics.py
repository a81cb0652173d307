"""The four topics the sources do not answer: say so, name what was asked, offer the line,
and promise nothing the sources do not say (no confidentiality rules, no medication advice)."""

import re

import pytest

from tests.support.project import faq_responses

SILENCE = re.compile(r"doesn't (set out|cover|say)|says nothing|don't have details|does not")
# What was asked, as the answer must name it.
NAMES = {
    "confidentiality": ["confidentiality", "GP", "family", "employer"],
    "medication": ["medication", "diagnos", "prescribe"],
    "attendance": ["missed", "break", "ending therapy"],
    "access": ["language", "interpreters", "disability", "culture", "faith"],
}
# Claims no source supports, for each topic.
UNSUPPORTED = {
    "confidentiality": r"\b(strictly|completely|totally|always|fully) (confidential|private)|"
    r"(will|would) (never|not) be (shared|passed|told)|won't (tell|share|be told)|"
    r"stays? between|only (share|break)|unless you",
    "medication": r"you (should|can|could|may) (stop|start|keep|carry on|come off|reduce|increase)|"
    r"(safe|fine|ok|okay) to (stop|take|carry on|come off)|keep taking|carry on taking|"
    r"(therapists?|we) (can|will|do) (prescribe|diagnose)|instead of (tablets|medication)",
    "attendance": r"£|\bfees?\b|\bcharge|hours' notice|you (must|have to|will need to)|policy is",
    "access": r"\bwe (offer|have|provide)\b|(is|are) (available|accessible)|step-free|interpreters are",
}
COMMON = r"\bwe (offer|provide)\b|guarantee|always|never"


def text(topic_id):
    return faq_responses()[f"utter_faq/{topic_id}"][0]["text"]


@pytest.mark.parametrize("topic_id", sorted(NAMES))
def test_says_the_sources_are_silent_and_names_what_was_asked(topic_id):
    assert SILENCE.search(text(topic_id))
    for name in NAMES[topic_id]:
        assert name.lower() in text(topic_id).lower(), f"{topic_id} should name {name!r}"


@pytest.mark.parametrize("topic_id", sorted(NAMES))
def test_offers_the_line_as_text_and_a_call_button(topic_id):
    response = faq_responses()[f"utter_faq/{topic_id}"][0]
    assert "{practice_phone}" in response["text"]
    assert any(button["url"] == "tel:{practice_phone_tel}" for button in response["buttons"])


@pytest.mark.parametrize("topic_id", sorted(NAMES))
def test_claims_nothing_the_sources_do_not_say(topic_id):
    found = re.findall(f"({UNSUPPORTED[topic_id]}|{COMMON})", text(topic_id), flags=re.I)
    assert not found, f"{topic_id} answer says {found}"


def test_medication_answer_sends_medication_decisions_to_the_prescriber():
    assert re.search(r"GP|prescrib", text("medication"))
    assert re.search(r"starting, stopping or changing", text("medication"))
