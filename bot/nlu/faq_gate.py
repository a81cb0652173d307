"""Abstain rather than guess: a Rasa NLU component that runs after the FAQ topic selector.

Rasa's FallbackClassifier sees only the confidence of the intent ``faq``, which is near 1.0
for anything shaped like a question; which *topic* is meant is the selector's decision, and
nothing in stock Rasa gates on it. This component does: an ``faq`` message is answered only
if the selector's top topic is at least ``threshold`` sure AND leads the second topic by at
least ``margin``. Otherwise the intent becomes ``nlu_fallback`` (the "did you mean…"
reply), and the selector's ranking stays on the message so the suggestions are its
likeliest topics. Thresholds were chosen on the real-question dev split (docs/nlu.md).

It also recognises a short follow-up that leans on the previous turn ("what about for
teenagers?", "and how long does that take?") and marks it ``faq_followup``: the follow-up
action (actions/answer_followup.py) then chooses the topic with the previous question's
ranking in view. Must run before the crisis safety net, which has the last word.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import RESPONSE_SELECTOR_PROPERTY_NAME, RESPONSE_SELECTOR_RANKING_KEY
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.followup import is_followup
from bot.nlu.topic_test import DEFAULT_MARGIN, DEFAULT_THRESHOLD, is_sure

FAQ_INTENT = "faq"
FALLBACK_INTENT = "nlu_fallback"
FOLLOWUP_INTENT = "faq_followup"
OUT_OF_SCOPE_INTENT = "out_of_scope"
CRISIS_INTENT = "crisis"
GATE_KEY = "faq_gate"


def topic_ranking(
    message_data: Dict[Text, Any], retrieval_intent: str = FAQ_INTENT
) -> List[Tuple[str, float]]:
    """(``faq/<id>``, confidence) best first, from a message's ``response_selector``."""
    selector = (message_data.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}).get(retrieval_intent) or {}
    return [
        (c.get(INTENT_RESPONSE_KEY) or "", float(c.get(PREDICTED_CONFIDENCE_KEY) or 0.0))
        for c in selector.get(RESPONSE_SELECTOR_RANKING_KEY) or []
    ]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class FaqConfidenceGate(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "retrieval_intent": FAQ_INTENT,
            "threshold": DEFAULT_THRESHOLD,
            "margin": DEFAULT_MARGIN,
            "followups": True,
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.threshold = float(config["threshold"])
        self.margin = float(config["margin"])
        self.retrieval_intent = config["retrieval_intent"]
        self.followups = bool(config["followups"])

    @classmethod
    def create(
        cls, config, model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext
    ) -> "FaqConfidenceGate":
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._gate(message)
        return messages

    def _gate(self, message: Message) -> None:
        intent = message.get(INTENT) or {}
        name = intent.get(INTENT_NAME_KEY)
        ranking = topic_ranking(message.data, self.retrieval_intent)
        # Only an FAQ question (or one the FallbackClassifier was unsure of, whose first
        # choice was still `faq`) is gated; anything else, crisis above all, is left alone.
        first = _first_choice(message)
        if not ranking or name == CRISIS_INTENT or first == CRISIS_INTENT:
            return
        # A short follow-up often looks off-topic on its own ("and how long does that take?"),
        # so one the classifier called out_of_scope gets its context too.
        if self.followups and first in (FAQ_INTENT, OUT_OF_SCOPE_INTENT) and is_followup(message.get(TEXT)):
            self._set_intent(message, FOLLOWUP_INTENT, intent.get(PREDICTED_CONFIDENCE_KEY, 1.0), "followup")
            return
        if name not in (FAQ_INTENT, FALLBACK_INTENT) or first != FAQ_INTENT:
            return
        if name == FAQ_INTENT and not is_sure(ranking, self.threshold, self.margin):
            self._set_intent(message, FALLBACK_INTENT, self.threshold, "unsure_topic")

    @staticmethod
    def _set_intent(message: Message, name: str, confidence: float, reason: str) -> None:
        new_intent = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}
        message.set(INTENT, new_intent, add_to_output=True)
        if name == FALLBACK_INTENT:
            # As the FallbackClassifier does: the fallback first, the classifier's own
            # ranking after it (the crisis safety net looks past `nlu_fallback`).
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != name]
            message.set(INTENT_RANKING_KEY, [new_intent, *ranking], add_to_output=True)
        message.set(GATE_KEY, reason, add_to_output=True)


def _first_choice(message: Message) -> Optional[Text]:
    """The intent classifier's first choice, looking past a fallback verdict."""
    for candidate in message.get(INTENT_RANKING_KEY) or []:
        if candidate.get(INTENT_NAME_KEY) != FALLBACK_INTENT:
            return candidate.get(INTENT_NAME_KEY)
    return None
