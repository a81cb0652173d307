"""The crisis flow: the direct safety check-in, and which crisis reply fits.

Why a policy rather than rules with slots: the decisions depend on things rules cannot
see — the risk score of each message (``parse_data["risk"]``, written by the detectors
in bot/nlu), a sum over the last few turns, and free-typed answers ("kind of", "no I'm
fine") that no intent captures reliably. A policy reads the tracker directly, runs inside
the Rasa server (so it works with the action server down), needs no training, and is
tested as plain Python. It is configured in config.yml with priority 7, above RulePolicy
(6); Rasa picks the most confident prediction and breaks ties by priority, so when this
policy speaks (always with confidence 1.0) it wins, and when it abstains the rules decide.

It never overrides the crisis rule: on a message the detectors marked ``crisis`` it
abstains and RulePolicy answers ``utter_crisis`` then ``action_flag_crisis``, as before.
It only adds events that choose the reply's wording (the ``crisis_reply`` slot, read by the
conditional variations of ``utter_crisis`` in domain.yml).

What it decides, right after a visitor's message:
1. ``crisis`` (intent or risk level): abstain (the rule replies); set ``crisis_reply``.
2. An answer to the check-in: a clear no -> ``utter_check_in_no`` (a gentle signpost; the
   conversation goes on). Yes, a hedge, a worrying reply or no clear answer -> the crisis
   reply (``utter_crisis``, then ``action_flag_crisis``).
3. Risk level ``check_in``, or risk accumulating (below): ask ``utter_check_in`` — unless
   a check-in was answered no within the window, when the new worrying words get the
   crisis reply (topics.md: "no answer and more worrying words").

Accumulation: over the visitor's last ``window`` messages (3) since the last check-in or
crisis reply, ``elevated_count`` (2) messages with a risk score of at least
``elevated_score`` (0.42), or scores summing to ``score_sum_limit`` (1.25), trigger the
check-in. Set in config.yml on the crisis evaluation's dev conversations only, never on
test (docs/safety/crisis-flow.md gives the figures).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from bot.policies.check_in import NO, REPEAT, Risk, read_answer

CRISIS_INTENT = "crisis"
UTTER_CRISIS = "utter_crisis"
FLAG_CRISIS = "action_flag_crisis"
UTTER_CHECK_IN = "utter_check_in"
UTTER_CHECK_IN_NO = "utter_check_in_no"
# Slots this policy sets (domain.yml); neither influences other policies.
CRISIS_REPLY_SLOT = "crisis_reply"  # which variant of utter_crisis: a kind, or "repeat"
CRISIS_KIND_SLOT = "crisis_kind"  # the kind the last crisis reply was for
CHECK_IN_ANSWER_SLOT = "check_in_answer"  # "yes" | "no" | "unclear", for staff reviewing

SAFETY_REPLIES = (UTTER_CRISIS, UTTER_CHECK_IN, UTTER_CHECK_IN_NO)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class CrisisFlowPolicy(Policy):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "priority": 7,
            "window": 3,
            "elevated_score": 0.42,
            "elevated_count": 2,
            "score_sum_limit": 1.25,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        featurizer: Any = None,
    ) -> None:
        super().__init__(config, model_storage, resource, execution_context, featurizer)
        self.window = int(config["window"])
        self.elevated_score = float(config["elevated_score"])
        self.elevated_count = int(config["elevated_count"])
        self.score_sum_limit = float(config["score_sum_limit"])

    def train(
        self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        # Nothing to learn: the flow is written down, not inferred. Rasa loads every policy
        # from its resource, so an empty one is written.
        with self._model_storage.write_to(self._resource) as path:
            (path / "crisis_flow.json").write_text("{}", encoding="utf-8")
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        action, events = self.decide(tracker)
        probabilities = self._default_predictions(domain)
        if action is not None:
            probabilities[domain.index_for_action(action)] = 1.0
        return self._prediction(probabilities, events=events)

    # --- the decisions, as plain Python -----------------------------------------------

    def decide(self, tracker: DialogueStateTracker) -> "tuple[Optional[str], List[Event]]":
        """The action to predict (None: abstain) and the events to apply before it."""
        latest = tracker.latest_action_name
        if latest == UTTER_CRISIS:
            return FLAG_CRISIS, []  # also what the crisis rule does; here for replies we chose
        if latest in (FLAG_CRISIS, UTTER_CHECK_IN, UTTER_CHECK_IN_NO):
            return ACTION_LISTEN_NAME, []
        if latest != ACTION_LISTEN_NAME or not isinstance(_last_user(tracker), UserUttered):
            return None, []

        message = tracker.latest_message
        risk = Risk.of(message.parse_data)
        intent = (message.intent or {}).get("name")
        if intent == CRISIS_INTENT:
            return None, self.crisis_reply_events(tracker, risk)  # the crisis rule replies
        if risk.level == "crisis":  # the detectors' contract says this comes with `crisis`
            return UTTER_CRISIS, self.crisis_reply_events(tracker, risk)

        if _last_bot_action(tracker) == UTTER_CHECK_IN:
            answer = read_answer(message.text or "", intent, risk)
            answered = SlotSet(CHECK_IN_ANSWER_SLOT, answer)
            if answer == NO:
                return UTTER_CHECK_IN_NO, [answered]
            return UTTER_CRISIS, [answered, *self.crisis_reply_events(tracker, risk)]

        if risk.level == "check_in" or self.accumulated(tracker):
            if self.answered_no_recently(tracker):
                return UTTER_CRISIS, self.crisis_reply_events(tracker, risk)
            return UTTER_CHECK_IN, []
        return None, []

    def accumulated(self, tracker: DialogueStateTracker) -> bool:
        """Whether risk short of the check-in band has built up over the last few messages."""
        scores = [Risk.of(event.parse_data).score for event in self._recent_user_messages(tracker)]
        elevated = [score for score in scores if score >= self.elevated_score]
        return len(elevated) >= self.elevated_count or sum(scores) >= self.score_sum_limit

    def answered_no_recently(self, tracker: DialogueStateTracker) -> bool:
        """A check-in was answered no within the last ``window`` messages of the visitor."""
        seen = 0
        for event in reversed(_session_events(tracker)):
            if isinstance(event, UserUttered):
                seen += 1
                if seen > self.window + 1:  # +1: the message being answered now
                    return False
            if isinstance(event, ActionExecuted) and event.action_name == UTTER_CHECK_IN_NO:
                return True
            if isinstance(event, ActionExecuted) and event.action_name == UTTER_CRISIS:
                return False
        return False

    def _recent_user_messages(self, tracker: DialogueStateTracker) -> List[UserUttered]:
        """The visitor's last ``window`` messages, none from before the last safety reply."""
        messages: List[UserUttered] = []
        for event in reversed(_session_events(tracker)):
            if isinstance(event, ActionExecuted) and event.action_name in SAFETY_REPLIES:
                break
            if isinstance(event, UserUttered):
                messages.append(event)
                if len(messages) == self.window:
                    break
        return messages

    @staticmethod
    def crisis_reply_events(tracker: DialogueStateTracker, risk: Risk) -> List[Event]:
        """Chooses the crisis reply's variant: the kind that fits, or the shorter repeat.

        The repeat (every line, fewer words) is for a second crisis reply in the same session
        for the same kind; a new kind (e.g. now something was swallowed) gets its full reply.
        """
        kind = risk.reply_kind
        already = any(
            isinstance(e, ActionExecuted) and e.action_name == UTTER_CRISIS for e in _session_events(tracker)
        )
        repeat = already and tracker.get_slot(CRISIS_KIND_SLOT) == kind
        return [SlotSet(CRISIS_KIND_SLOT, kind), SlotSet(CRISIS_REPLY_SLOT, REPEAT if repeat else kind)]


def _session_events(tracker: DialogueStateTracker) -> List[Event]:
    """Events since the current session started (a new session is a new conversation)."""
    events = list(tracker.events)
    for index in range(len(events) - 1, -1, -1):
        if isinstance(events[index], SessionStarted):
            return events[index + 1 :]
    return events


def _last_user(tracker: DialogueStateTracker) -> Optional[Event]:
    for event in reversed(tracker.events):
        if isinstance(event, (UserUttered, ActionExecuted)) and not (
            isinstance(event, ActionExecuted) and event.action_name == ACTION_LISTEN_NAME
        ):
            return event
    return None


def _last_bot_action(tracker: DialogueStateTracker) -> Optional[str]:
    """The last action before the visitor's latest message (not counting listening)."""
    seen_user = False
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            if seen_user:
                return None
            seen_user = True
        elif seen_user and isinstance(event, ActionExecuted) and event.action_name != ACTION_LISTEN_NAME:
            return event.action_name
    return None
