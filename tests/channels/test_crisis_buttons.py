"""The crisis reply's dial and text buttons, and the check-in's Yes / No, on every channel."""

import asyncio

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels.rendering import STYLES, picked_payload, shape
from bot.channels.widget import replies_key, widget_reply
from bot.nlg.practice import PracticeResponseGenerator
from bot.settings import practice
from tests.support.project import ROOT


def rendered(name):
    domain = Domain.load(str(ROOT / "domain.yml"))
    tracker = DialogueStateTracker("visitor", domain.slots)
    return asyncio.run(PracticeResponseGenerator(domain=domain).generate(name, tracker, "rest"))


@pytest.mark.parametrize("channel", sorted(STYLES))
def test_messaging_channels_show_every_crisis_number_as_a_plain_line(channel):
    p = practice()
    crisis = rendered("utter_crisis")
    shaped = shape(crisis["text"], crisis["buttons"], STYLES[channel])
    whole = "\n".join(shaped.texts)
    assert shaped.options == (), "dial and text buttons are never numbered options"
    for line in (
        f"Call {p.crisis_emergency}",
        p.urgent_line_title,
        f"Call Samaritans {p.crisis_samaritans}",
        f"Text SHOUT to {p.crisis_shout_text}",
    ):
        assert line in whole, f"{channel}: {line!r}"
    assert "tel:" not in whole and "sms:" not in whole


def test_the_widget_makes_every_crisis_number_a_link_that_dials_or_texts():
    crisis = rendered("utter_crisis")
    replies = [widget_reply(button) for button in crisis["buttons"]]
    assert all(reply["type"] == "web_url" for reply in replies)
    assert [reply["url"] for reply in replies][-1] == f"sms:{practice().crisis_shout_text}?&body=SHOUT"
    assert replies_key(replies) == "buttons", "they stay under the message, not vanishing quick replies"


@pytest.mark.parametrize(
    "channel,native",
    [("sms", False), ("whatsapp", False), ("telegram", True), ("facebook", True), ("slack", True)],
)
def test_the_check_in_offers_yes_and_no_on_every_channel(channel, native):
    check_in = rendered("utter_check_in")
    shaped = shape(check_in["text"], check_in["buttons"], STYLES[channel])
    assert shaped.native is native
    assert [o.payload for o in shaped.options] == ["/affirm", "/deny"]
    if not native:  # typed "1" / "2" pick the answer
        assert picked_payload("1", check_in, STYLES[channel]) == "/affirm"
        assert picked_payload("2", check_in, STYLES[channel]) == "/deny"
