"""Where the alert starts: a crisis reply rendered in the Rasa server, once per episode."""

import asyncio

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.alerts import hook
from tests.support.project import ROOT


def tracker(*events):
    domain = Domain.load(str(ROOT / "domain.yml"))
    start = [
        ActionExecuted("action_session_start"),
        SessionStarted(timestamp=100.0),
        ActionExecuted("action_listen"),
    ]
    return DialogueStateTracker.from_events("visitor-9", start + list(events), domain.slots)


def said(intent, text="(words)"):
    return UserUttered(text, {"name": intent, "confidence": 1.0}, input_channel="telegram")


def test_the_first_crisis_reply_of_a_session_raises_a_flag_with_its_channel_and_kind():
    flag = hook.flag_of(tracker(said("crisis"), SlotSet("crisis_reply", "abuse")), "telegram")
    assert (flag.conversation_id, flag.channel, flag.reason, flag.kind) == (
        "visitor-9",
        "telegram",
        "crisis",
        "abuse",
    )
    assert flag.episode == "visitor-9@100.0"


def test_a_yes_to_the_check_in_is_flagged_as_such():
    flag = hook.flag_of(
        tracker(said("share_difficulty"), ActionExecuted("utter_check_in"), said("affirm")), "rest"
    )
    assert flag.reason == "check_in"


def test_a_second_crisis_reply_in_the_session_is_the_same_episode():
    events = [said("crisis"), ActionExecuted("utter_crisis", timestamp=200.0), said("crisis")]
    assert hook.flag_of(tracker(*events), "rest") is None


def test_other_responses_never_alert(monkeypatch):
    started = []
    monkeypatch.setattr(hook, "duty_alerter", lambda: started.append(1))
    hook.on_response("utter_faq", tracker(said("faq")), "rest")
    assert started == []


def test_an_alert_problem_never_stops_the_reply(monkeypatch):
    def broken():
        raise RuntimeError("settings unreadable")

    monkeypatch.setattr(hook, "duty_alerter", broken)
    hook.on_response("utter_crisis", tracker(said("crisis")), "rest")  # logs, does not raise


def test_the_nlg_starts_the_alert_when_it_renders_the_crisis_reply(monkeypatch):
    from bot.nlg.practice import PracticeResponseGenerator

    seen = []
    monkeypatch.setattr(hook, "on_response", lambda name, t, channel: seen.append((name, channel)))
    domain = Domain.load(str(ROOT / "domain.yml"))
    generator = PracticeResponseGenerator(domain=domain)
    reply = asyncio.run(generator.generate("utter_crisis", tracker(said("crisis")), "telegram"))
    assert reply["text"] and seen == [("utter_crisis", "telegram")]


def test_a_personal_conversation_id_is_pseudonymised_in_the_flag(monkeypatch):
    # A WhatsApp id is the visitor's phone number: the email links to the console's pseudonym.
    monkeypatch.setenv("CONVERSATION_ID_KEY", "k" * 32)
    domain = Domain.load(str(ROOT / "domain.yml"))
    events = [
        ActionExecuted("action_session_start"),
        SessionStarted(timestamp=100.0),
        ActionExecuted("action_listen"),
        said("crisis"),
    ]
    flag = hook.flag_of(
        DialogueStateTracker.from_events("twilio:whatsapp:+447700900123", events, domain.slots), "twilio"
    )
    assert "7700900123" not in flag.conversation_id and flag.conversation_id.startswith("twilio:~")
