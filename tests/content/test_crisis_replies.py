"""The crisis reply's variants, the check-in and its signpost, as the Rasa server renders them.

Content tests: every variant carries every crisis line, every number is also a button that
dials or texts it, nothing is left unfilled, and the urgent line follows the practice's nation.
"""

import asyncio
import re

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot.nlg import practice as nlg
from bot.settings import load_practice, practice
from tests.support.project import ROOT

VARIANTS = ("self", "other_person", "harm_to_others", "abuse", "ingestion", "repeat")


def render(name, crisis_reply=None, practice_details=None):
    domain = Domain.load(str(ROOT / "domain.yml"))
    generator = nlg.PracticeResponseGenerator(domain=domain)
    if practice_details is not None:
        generator.practice_values = practice_details.template_values()
    tracker = DialogueStateTracker("visitor", domain.slots)
    if crisis_reply:
        tracker.update(SlotSet("crisis_reply", crisis_reply))
    return asyncio.run(generator.generate(name, tracker, "rest"))


def button_targets(response):
    return [button["url"] for button in response["buttons"]]


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_variant_carries_every_line_and_a_button_for_each(variant):
    p = practice()
    response = render("utter_crisis", variant)
    text = response["text"]
    for line in (
        p.crisis_emergency,
        p.urgent_line_how,
        p.crisis_samaritans,
        f"SHOUT to {p.crisis_shout_text}",
    ):
        assert line in text, f"{variant}: {line!r} missing"
    if variant not in ("harm_to_others", "abuse"):  # there the danger is from someone, not an injury
        assert "A&E" in text
    assert button_targets(response) == [
        f"tel:{p.crisis_emergency}",
        "tel:111",
        "tel:116123",
        f"sms:{p.crisis_shout_text}?&body=SHOUT",
    ]
    assert all(
        button["type"] == "web_url" and button["payload"] == button["url"] for button in response["buttons"]
    )
    assert response.get("metadata", {}).get("crisis") is True  # the widget styles it as the crisis reply
    assert not re.search(r"{\w+}", text + str(response["buttons"])), "a placeholder was left unfilled"


def test_variants_differ_and_the_repeat_is_shorter_than_each():
    texts = {variant: render("utter_crisis", variant)["text"] for variant in VARIANTS}
    assert len(set(texts.values())) == len(VARIANTS)
    assert all(len(texts["repeat"]) < len(texts[v]) for v in VARIANTS if v != "repeat")


def test_each_variant_speaks_to_whoever_is_writing():
    assert "hurt yourself" in render("utter_crisis", "self")["text"]
    assert "they are in immediate danger" in render("utter_crisis", "other_person")["text"]
    assert "harming someone" in render("utter_crisis", "harm_to_others")["text"]
    assert "not your fault" in render("utter_crisis", "abuse")["text"]
    ingestion = render("utter_crisis", "ingestion")["text"]
    assert ingestion.index(practice().crisis_emergency) < ingestion.index("Samaritans"), "999/A&E first"
    assert "medical emergency" in ingestion


def test_northern_ireland_gets_lifeline_not_nhs_111():
    ni = load_practice(environ={"CRISIS_NATION": "northern_ireland"})
    for variant in VARIANTS:
        response = render("utter_crisis", variant, ni)
        assert "Lifeline" in response["text"] and "111" not in response["text"]
        assert "tel:08088088000" in button_targets(response)


def test_the_check_in_asks_directly_with_yes_and_no_buttons():
    response = render("utter_check_in")
    assert response["text"].rstrip().endswith("?")
    assert [(b["title"], b["payload"]) for b in response["buttons"]] == [("Yes", "/affirm"), ("No", "/deny")]


def test_the_signpost_after_a_no_is_gentle_but_keeps_a_line():
    response = render("utter_check_in_no")
    assert practice().crisis_samaritans in response["text"]
    assert button_targets(response) == ["tel:116123"]
    assert len(response["text"]) < len(render("utter_crisis", "repeat")["text"]) * 2
