"""The crisis flow policy: the check-in, its answers, accumulation and the crisis reply's variant.

Trackers are built from events with parse data as the detectors (bot/nlu) write it, so
these tests need no trained model. The policy runs with config.yml's settings.
"""

from functools import lru_cache

import pytest
import yaml
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.policies.crisis_flow import (
    CHECK_IN_ANSWER_SLOT,
    CRISIS_KIND_SLOT,
    CRISIS_REPLY_SLOT,
    FLAG_CRISIS,
    UTTER_CHECK_IN,
    UTTER_CHECK_IN_NO,
    UTTER_CRISIS,
    CrisisFlowPolicy,
)
from tests.support.project import ROOT


@lru_cache(maxsize=1)
def domain():
    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture(scope="module")
def policy(tmp_path_factory):
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    settings = next(p for p in config["policies"] if p["name"].endswith("CrisisFlowPolicy"))
    settings = {k: v for k, v in settings.items() if k != "name"}
    storage = LocalModelStorage(tmp_path_factory.mktemp("storage"))
    context = ExecutionContext(GraphSchema({}), "test")
    return CrisisFlowPolicy.create(
        {**CrisisFlowPolicy.get_default_config(), **settings}, storage, Resource("crisis_flow"), context
    )


def risk(level="none", score=0.0, kinds=()):
    return {"level": level, "score": score, "kinds": list(kinds), "triggered_by": []}


class Conversation:
    """Builds a tracker turn by turn: ``.user(...)`` then ``.bot(...)``."""

    def __init__(self):
        self.events = [
            ActionExecuted("action_session_start"),
            SessionStarted(),
            ActionExecuted(ACTION_LISTEN_NAME),
        ]

    def user(self, text, intent="faq", level="none", score=0.0, kinds=()):
        self.events.append(
            UserUttered(
                text, {"name": intent, "confidence": 0.9}, parse_data={"risk": risk(level, score, kinds)}
            )
        )
        return self

    def bot(self, *actions, slots=None):
        for name, value in (slots or {}).items():
            self.events.append(SlotSet(name, value))
        for action in actions:
            self.events.append(ActionExecuted(action))
        self.events.append(ActionExecuted(ACTION_LISTEN_NAME))
        return self

    def tracker(self):
        return DialogueStateTracker.from_events("visitor", self.events, domain().slots)


def decide(policy, conversation):
    return policy.decide(conversation.tracker())


def slots(events):
    return {e.key: e.value for e in events if isinstance(e, SlotSet)}


def test_an_ordinary_message_is_left_to_the_rules(policy):
    assert decide(policy, Conversation().user("how much does it cost")) == (None, [])


def test_a_check_in_level_message_gets_the_direct_question(policy):
    action, _ = decide(
        policy, Conversation().user("i can't keep doing this", "share_difficulty", "check_in", 0.5)
    )
    assert action == UTTER_CHECK_IN


def test_a_crisis_message_is_left_to_the_crisis_rule_with_the_variant_chosen(policy):
    action, events = decide(policy, Conversation().user("x", "crisis", "crisis", 0.9, ["abuse", "self"]))
    assert action is None  # the crisis rule answers: nothing outranks it
    assert slots(events) == {CRISIS_KIND_SLOT: "abuse", CRISIS_REPLY_SLOT: "abuse"}


def test_something_swallowed_gets_its_variant_wherever_it_is_in_the_kinds(policy):
    _, events = decide(policy, Conversation().user("x", "crisis", "crisis", 0.9, ["self", "ingestion"]))
    assert slots(events)[CRISIS_REPLY_SLOT] == "ingestion"


def test_crisis_without_risk_data_gets_the_default_variant(policy):
    # e.g. the "/crisis" payload a too-long risky message becomes (bot/channels/safe_rest.py)
    conversation = Conversation()
    conversation.events.append(UserUttered("/crisis", {"name": "crisis", "confidence": 1.0}))
    assert slots(decide(policy, conversation)[1])[CRISIS_REPLY_SLOT] == "self"


def test_risk_level_crisis_under_another_intent_still_gets_the_crisis_reply(policy):
    action, events = decide(policy, Conversation().user("x", "faq", "crisis", 0.9, ["self"]))
    assert action == UTTER_CRISIS and slots(events)[CRISIS_REPLY_SLOT] == "self"


def test_a_second_crisis_of_the_same_kind_gets_the_shorter_repeat(policy):
    conversation = (
        Conversation()
        .user("a", "crisis", "crisis", 0.9, ["self"])
        .bot(UTTER_CRISIS, FLAG_CRISIS, slots={CRISIS_KIND_SLOT: "self", CRISIS_REPLY_SLOT: "self"})
        .user("b", "crisis", "crisis", 0.9, ["self"])
    )
    assert slots(decide(policy, conversation)[1])[CRISIS_REPLY_SLOT] == "repeat"


def test_a_second_crisis_of_a_new_kind_gets_that_kind_in_full(policy):
    conversation = (
        Conversation()
        .user("a", "crisis", "crisis", 0.9, ["self"])
        .bot(UTTER_CRISIS, FLAG_CRISIS, slots={CRISIS_KIND_SLOT: "self", CRISIS_REPLY_SLOT: "self"})
        .user("b", "crisis", "crisis", 0.9, ["ingestion"])
    )
    assert slots(decide(policy, conversation)[1])[CRISIS_REPLY_SLOT] == "ingestion"


def test_a_new_session_starts_again_with_the_full_reply(policy):
    conversation = (
        Conversation()
        .user("a", "crisis", "crisis", 0.9, ["self"])
        .bot(UTTER_CRISIS, FLAG_CRISIS, slots={CRISIS_KIND_SLOT: "self"})
    )
    conversation.events += [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        SlotSet(CRISIS_KIND_SLOT, "self"),
        ActionExecuted(ACTION_LISTEN_NAME),
    ]
    conversation.user("b", "crisis", "crisis", 0.9, ["self"])
    assert slots(decide(policy, conversation)[1])[CRISIS_REPLY_SLOT] == "self"


def asked():
    return Conversation().user("it's all too much", "share_difficulty", "check_in", 0.5).bot(UTTER_CHECK_IN)


@pytest.mark.parametrize(
    "text,intent",
    [
        ("/affirm", "affirm"),
        ("yes", "affirm"),
        ("kind of", "faq"),
        ("sometimes yeah", "faq"),
        ("no... well maybe", "deny"),
        ("i don't know", "nlu_fallback"),
        ("how much does it cost?", "faq"),
    ],
)
def test_yes_a_hedge_or_no_clear_answer_to_the_check_in_gets_the_crisis_reply(policy, text, intent):
    action, events = decide(policy, asked().user(text, intent))
    assert action == UTTER_CRISIS
    assert slots(events)[CHECK_IN_ANSWER_SLOT] in ("yes", "unclear")
    assert CRISIS_REPLY_SLOT in slots(events)


@pytest.mark.parametrize(
    "text,intent",
    [
        ("/deny", "deny"),
        ("no", "deny"),
        ("No, I'm fine!", "deny"),
        ("not really", "faq"),
        ("nope thanks", "faq"),
        ("no i'm not thinking of that", "faq"),
    ],
)
def test_a_clear_no_to_the_check_in_gets_the_gentle_signpost(policy, text, intent):
    action, events = decide(policy, asked().user(text, intent))
    assert action == UTTER_CHECK_IN_NO
    assert slots(events) == {CHECK_IN_ANSWER_SLOT: "no"}


def test_a_worrying_answer_is_never_a_no(policy):
    action, _ = decide(policy, asked().user("no but i keep thinking about it", "deny", "check_in", 0.5))
    assert action == UTTER_CRISIS


def test_an_answer_the_detectors_call_crisis_is_left_to_the_crisis_rule(policy):
    action, events = decide(
        policy, asked().user("no i have the pills ready", "crisis", "crisis", 0.95, ["self"])
    )
    assert action is None and slots(events)[CRISIS_REPLY_SLOT] == "self"


def test_after_a_no_more_worrying_words_get_the_crisis_reply_not_another_question(policy):
    conversation = (
        asked()
        .user("no", "deny")
        .bot(UTTER_CHECK_IN_NO)
        .user("what's the point of anything", "faq", "check_in", 0.5)
    )
    assert decide(policy, conversation)[0] == UTTER_CRISIS


def test_risk_building_up_below_the_band_gets_the_check_in(policy):
    conversation = (
        Conversation()
        .user("i'm so tired all the time", "share_difficulty", score=0.45)
        .bot("utter_share_difficulty")
        .user("nobody would notice if i wasn't around", "faq", score=0.47)
    )
    assert decide(policy, conversation)[0] == UTTER_CHECK_IN


def test_scores_ordinary_messages_usually_get_do_not_accumulate(policy):
    # the dev split's ordinary messages score a median of about 0.34 (docs/safety/crisis-flow.md)
    conversation = (
        Conversation()
        .user("a", score=0.34)
        .bot("utter_faq")
        .user("b", score=0.38)
        .bot("utter_faq")
        .user("c", score=0.35)
    )
    assert decide(policy, conversation)[0] is None


def test_three_messages_just_under_the_limit_each_add_up_to_the_check_in(policy):
    conversation = (
        Conversation()
        .user("a", score=0.41)
        .bot("utter_faq")
        .user("b", score=0.41)
        .bot("utter_faq")
        .user("c", score=0.44)
    )
    assert decide(policy, conversation)[0] == UTTER_CHECK_IN


def test_one_elevated_message_alone_does_not_accumulate(policy):
    conversation = (
        Conversation()
        .user("what is therapy", score=0.05)
        .bot("utter_faq")
        .user("i'm so tired all the time", "share_difficulty", score=0.45)
    )
    assert decide(policy, conversation)[0] is None


def test_risk_handled_by_an_earlier_check_in_does_not_count_again(policy):
    conversation = asked().user("no", "deny").bot(UTTER_CHECK_IN_NO).user("ok what does it cost", score=0.0)
    assert decide(policy, conversation)[0] is None


def test_after_the_crisis_reply_the_flag_then_listening(policy):
    tracker_events = asked().user("yes", "affirm").events + [ActionExecuted(UTTER_CRISIS)]
    tracker = DialogueStateTracker.from_events("visitor", tracker_events, domain().slots)
    assert policy.decide(tracker) == (FLAG_CRISIS, [])
    tracker.update(ActionExecuted(FLAG_CRISIS))
    assert policy.decide(tracker) == (ACTION_LISTEN_NAME, [])


def test_the_prediction_is_certain_and_outranks_the_rules_only_when_it_speaks(policy):
    prediction = policy.predict_action_probabilities(asked().user("yes", "affirm").tracker(), domain())
    assert prediction.max_confidence == 1.0 and prediction.policy_priority > 6  # RulePolicy's is 6
    assert domain().action_names_or_texts[prediction.max_confidence_index] == UTTER_CRISIS
    silent = policy.predict_action_probabilities(Conversation().user("what is therapy").tracker(), domain())
    assert silent.max_confidence == 0.0
