"""The crisis safety net: a Rasa NLU component that turns any risky message into `crisis`.

It runs last in the pipeline (config.yml), after the intent classifier and the
FallbackClassifier, so it works on every channel and with the action server down. Three
independent detectors look at every message (typed text starting with "/" included):
- the lexicon (spaCy Matcher on lemmas, ``crisis_lexicon.yml``),
- the semantic detector (each sentence and clause against a bank of risk exemplars and
  hard negatives with the shared sentence encoder, ``crisis_semantic.py``),
- the classifier, if it ranked ``crisis`` first, even if the FallbackClassifier then said
  ``nlu_fallback`` because it was unsure.
Any one of them at crisis level sets the intent to ``crisis``. Every message gets a
``risk`` record (the interface the dialogue and the console rely on):

    {"level": "none" | "check_in" | "crisis", "score": <semantic score of the riskiest clause>,
     "kinds": [most likely first], "triggered_by": [subset of lexicon, semantic, classifier]}

``check_in`` (an ambiguous message: a semantic score in the band below the crisis threshold,
or a lexicon topic word in a past or question framing) leaves the intent as the classifier
said; the dialogue asks the visitor directly. What matched on a crisis is also recorded as
``crisis_safety_net`` for staff review.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu import crisis_semantic
from bot.nlu.crisis_lexicon import CURRENT, CrisisDetector, matched_categories, matched_kinds
from bot.nlu.crisis_semantic import CHECK_IN, CRISIS, NONE, SemanticCrisisDetector
from bot.nlu.spacy_model import DEFAULT_TARGET

CRISIS_INTENT = "crisis"
FALLBACK_INTENT = "nlu_fallback"
SAFETY_NET_KEY = "crisis_safety_net"
RISK_KEY = "risk"
LEXICON, SEMANTIC, CLASSIFIER = "lexicon", "semantic", "classifier"
_RANK = {NONE: 0, CHECK_IN: 1, CRISIS: 2}
# The old single-valued `crisis_safety_net.triggered_by` (the console reads it): first that fired.
_LEGACY_NAMES = {LEXICON: "rules", SEMANTIC: "semantic", CLASSIFIER: "classifier"}


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class CrisisSafetyNet(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # the spaCy pipeline whose lemmas the patterns are matched on
            "model": str(DEFAULT_TARGET),
            # the semantic detector; thresholds chosen on the dev split (docs/safety/evaluation.md)
            "semantic": True,
            # None: the values in crisis_semantic.py, so a new choice applies without retraining
            "crisis_threshold": None,
            "check_in_threshold": None,
        }

    def __init__(self, detector: CrisisDetector, semantic: Optional[SemanticCrisisDetector] = None) -> None:
        self.detector = detector
        self.semantic = semantic

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "CrisisSafetyNet":
        import spacy

        semantic = None
        if config.get("semantic", True):
            from bot.nlu.encoder import shared_encoder

            crisis = config.get("crisis_threshold")
            check_in = config.get("check_in_threshold")
            semantic = SemanticCrisisDetector(
                shared_encoder(),
                crisis_threshold=crisis_semantic.CRISIS_THRESHOLD if crisis is None else float(crisis),
                check_in_threshold=crisis_semantic.CHECK_IN_THRESHOLD if check_in is None else float(check_in),
            )
        return cls(CrisisDetector(spacy.load(config["model"])), semantic)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._check(message)
        return messages

    def process_training_data(self, training_data: Any) -> Any:
        return training_data

    def assess(self, text: str, top_intent: Optional[str] = None) -> Dict[str, Any]:
        """The risk record for ``text`` (plus the lexicon matches under ``_matches``)."""
        # Typed text that starts with "/" is checked too: "/i want to die" is not a button.
        text = (text or "").lstrip("/")
        matches = self.detector.find(text)
        levels: Dict[str, str] = {
            LEXICON: CRISIS if any(m["framing"] == CURRENT for m in matches) else (CHECK_IN if matches else NONE),
            CLASSIFIER: CRISIS if top_intent == CRISIS_INTENT else NONE,
        }
        score, semantic_kinds = 0.0, []
        if self.semantic is not None:
            found = self.semantic.assess(text)
            levels[SEMANTIC], score, semantic_kinds = found.level, found.score, found.kinds
        level = max(levels.values(), key=_RANK.__getitem__)
        fired = [name for name in (LEXICON, SEMANTIC, CLASSIFIER) if levels.get(name) == level and level != NONE]
        return {
            "level": level,
            "score": round(float(score), 4),
            "kinds": _kinds(level, levels, matched_kinds(matches), semantic_kinds),
            "triggered_by": fired,
            "_matches": matches,
        }

    def _check(self, message: Message) -> None:
        intent = message.get(INTENT) or {}
        risk = self.assess(message.get(TEXT) or "", _top_ranked_intent(message))
        matches = risk.pop("_matches")
        message.set(RISK_KEY, risk, add_to_output=True)
        if risk["level"] != CRISIS:
            return
        message.set(
            SAFETY_NET_KEY,
            {
                "triggered_by": _LEGACY_NAMES[risk["triggered_by"][0]],
                "detectors": risk["triggered_by"],
                "kinds": risk["kinds"],
                "categories": matched_categories(matches),
                "phrases": [match["phrase"] for match in matches],
                "overruled_intent": intent.get("name"),
            },
            add_to_output=True,
        )
        if intent.get("name") != CRISIS_INTENT or intent.get("confidence") != 1.0:
            message.set(INTENT, {"name": CRISIS_INTENT, "confidence": 1.0}, add_to_output=True)


def _kinds(level: str, levels: Dict[str, str], lexicon_kinds: List[str], semantic_kinds: List[str]) -> List[str]:
    """Most likely first: the detector that reached the final level leads."""
    if level == NONE:
        return []
    lexicon_first = levels[LEXICON] == level and levels.get(SEMANTIC) != level
    ordered = (lexicon_kinds + semantic_kinds) if lexicon_first else (semantic_kinds + lexicon_kinds)
    return list(dict.fromkeys(ordered)) or ["self"]  # the classifier alone names no kind


def _top_ranked_intent(message: Message) -> Optional[Text]:
    """The classifier's first choice, looking past the FallbackClassifier's verdict."""
    for candidate in message.get(INTENT_RANKING_KEY) or []:
        if candidate.get("name") != FALLBACK_INTENT:
            return candidate.get("name")
    return None
