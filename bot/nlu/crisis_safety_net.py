"""The crisis safety net: a Rasa NLU component that turns any risky message into `crisis`.

It runs last in the pipeline (config.yml), after the intent classifier and the
FallbackClassifier, and sets the intent to ``crisis`` when either
- the rule half (spaCy Matcher on lemmas, ``crisis_lexicon.yml``) finds risk language, or
- the classifier ranked ``crisis`` first, even if the FallbackClassifier then said
  ``nlu_fallback`` because it was unsure.
So a risky message is never answered with an FAQ or a fallback. What matched is recorded
on the message (``crisis_safety_net``) for staff review.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.crisis_lexicon import CrisisDetector, matched_categories
from bot.nlu.spacy_model import DEFAULT_TARGET

CRISIS_INTENT = "crisis"
FALLBACK_INTENT = "nlu_fallback"
SAFETY_NET_KEY = "crisis_safety_net"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class CrisisSafetyNet(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # the spaCy pipeline whose lemmas the patterns are matched on
        return {"model": str(DEFAULT_TARGET)}

    def __init__(self, detector: CrisisDetector) -> None:
        self.detector = detector

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "CrisisSafetyNet":
        import spacy

        return cls(CrisisDetector(spacy.load(config["model"])))

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._check(message)
        return messages

    def process_training_data(self, training_data: Any) -> Any:
        return training_data

    def _check(self, message: Message) -> None:
        # Typed text that starts with "/" is checked too: "/i want to die" is not a button.
        text = (message.get(TEXT) or "").lstrip("/")
        matches = self.detector.find(text)
        classifier_said_crisis = _top_ranked_intent(message) == CRISIS_INTENT
        if not matches and not classifier_said_crisis:
            return
        intent = message.get(INTENT) or {}
        message.set(
            SAFETY_NET_KEY,
            {
                "triggered_by": "rules" if matches else "classifier",
                "categories": matched_categories(matches),
                "phrases": [match["phrase"] for match in matches],
                "overruled_intent": intent.get("name"),
            },
            add_to_output=True,
        )
        if intent.get("name") != CRISIS_INTENT:
            message.set(INTENT, {"name": CRISIS_INTENT, "confidence": 1.0}, add_to_output=True)


def _top_ranked_intent(message: Message) -> Optional[Text]:
    """The classifier's first choice, looking past the FallbackClassifier's verdict."""
    for candidate in message.get(INTENT_RANKING_KEY) or []:
        if candidate.get("name") != FALLBACK_INTENT:
            return candidate.get("name")
    return None
