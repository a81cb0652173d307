"""The check-in with the trained model in-process, and a stand-in for the detectors' risk.

The real model, dialogue policies, rules, NLG and duty alert (to a real aiosmtpd server)
answer; only ``parse_data["risk"]`` is supplied by the test (the detectors' contract:
level, score, kinds), so each path of the check-in is exercised on purpose. The action
server is not running, as when it is down: the flow must not need it.
"""

import asyncio
import time

import pytest
from rasa.core.agent import load_agent
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.utils import AvailableEndpoints
from rasa.shared.core.events import ActionExecuted, SlotSet

from bot import settings
from bot.alerts import hook
from tests.support.project import ROOT
from tests.support.servers import MODEL, free_port
from tests.support.smtp import smtp_server

pytestmark = pytest.mark.model

# What the stand-in says the detectors found, by message text (anything else: no risk).
RISK = {
    "everything feels pointless lately": {"level": "check_in", "score": 0.5, "kinds": ["self"]},
    "i've been feeling really low lately": {"level": "none", "score": 0.45, "kinds": []},
    "work is awful and i can't sleep": {"level": "none", "score": 0.47, "kinds": ["self"]},
    "i swallowed a load of pills": {"level": "crisis", "score": 0.95, "kinds": ["ingestion", "self"]},
}


@pytest.fixture(scope="module")
def smtp():
    with smtp_server() as server:
        yield server


@pytest.fixture()
def chat(tmp_path, monkeypatch, smtp):
    monkeypatch.setenv("TRACKER_DB_URL", f"sqlite:///{tmp_path / 'conversations.db'}")
    monkeypatch.setenv("JOURNAL_DIR", str(tmp_path / "journal"))
    monkeypatch.setenv("ACTION_SERVER_URL", f"http://127.0.0.1:{free_port()}/webhook")  # nothing listens
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "check-in-test")  # endpoints.yml sends it
    for name, value in {
        "DUTY_ALERT_SMTP_HOST": smtp.host,
        "DUTY_ALERT_SMTP_PORT": str(smtp.port),
        "DUTY_ALERT_STARTTLS": "false",
        "DUTY_ALERT_FROM": "bot@practice.example.org.uk",
        "DUTY_ALERT_TO": "duty@practice.example.org.uk",
    }.items():
        monkeypatch.setenv(name, value)
    settings.duty_alert.cache_clear()
    hook.duty_alerter.cache_clear()
    yield Chat()
    settings.duty_alert.cache_clear()
    hook.duty_alerter.cache_clear()


class Chat:
    """Runs one conversation's turns through the agent inside one event loop."""

    def run(self, sender, *texts):
        return asyncio.run(self._run(sender, texts))

    async def _run(self, sender, texts):
        agent = await load_agent(
            model_path=str(MODEL), endpoints=AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml"))
        )
        parse = agent.processor.parse_message

        async def with_risk(message, tracker=None, only_output_properties=True):
            data = await parse(message, tracker, only_output_properties)
            risk = RISK.get(message.text, {"level": "none", "score": 0.0, "kinds": []})
            data["risk"] = {**risk, "triggered_by": ["semantic"] if risk["level"] != "none" else []}
            if risk["level"] == "crisis":
                data["intent"] = {"name": "crisis", "confidence": 1.0}
            return data

        agent.processor.parse_message = with_risk
        for text in texts:
            await agent.handle_text(text, sender_id=sender, output_channel=CollectingOutputChannel())
        tracker = await agent.tracker_store.retrieve(sender)
        await hook.duty_alerter().drain()
        return tracker


def actions(tracker):
    skip = {"action_listen", "action_session_start"}
    return [
        e.action_name for e in tracker.events if isinstance(e, ActionExecuted) and e.action_name not in skip
    ]


def slot_values(tracker, name):
    return [e.value for e in tracker.events if isinstance(e, SlotSet) and e.key == name]


def test_an_ambiguous_message_gets_the_check_in_and_yes_gets_the_crisis_reply_and_the_alert(chat, smtp):
    before = len(smtp.messages)
    tracker = chat.run("check-in-yes", "everything feels pointless lately", "/affirm")
    assert actions(tracker) == ["utter_check_in", "utter_crisis", "action_flag_crisis"]
    assert slot_values(tracker, "check_in_answer") == ["yes"]
    (mail,) = smtp.wait_for(before + 1)[before:]
    assert "check-in" in mail.as_string() and "pointless" not in mail.as_string()


def test_a_typed_hedge_counts_as_yes(chat):
    tracker = chat.run("check-in-hedge", "everything feels pointless lately", "kind of tbh")
    assert actions(tracker)[:2] == ["utter_check_in", "utter_crisis"]


def test_no_gets_the_gentle_signpost_and_the_conversation_goes_on(chat, smtp):
    before = len(smtp.messages)
    tracker = chat.run(
        "check-in-no",
        "everything feels pointless lately",
        "no I'm fine, just asking",
        "what is psychodynamic therapy?",
    )
    assert actions(tracker) == ["utter_check_in", "utter_check_in_no", "utter_faq"]
    time.sleep(0.5)
    assert len(smtp.messages) == before, "no alert when the answer is no"


def test_risk_building_up_over_turns_gets_the_check_in(chat):
    tracker = chat.run(
        "accumulating", "i've been feeling really low lately", "work is awful and i can't sleep"
    )
    assert actions(tracker)[0] != "utter_check_in", "one elevated message alone does not accumulate"
    assert actions(tracker)[-1] == "utter_check_in"


def test_a_crisis_after_an_faq_answer_gets_the_crisis_reply_for_what_was_found(chat):
    tracker = chat.run("faq-then-crisis", "what is psychodynamic therapy?", "i swallowed a load of pills")
    assert actions(tracker) == ["utter_faq", "utter_crisis", "action_flag_crisis"]
    assert slot_values(tracker, "crisis_reply") == ["ingestion"]
