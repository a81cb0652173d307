"""The crisis safety net: a Rasa NLU component that turns any risky message into `crisis`.

It runs last in the pipeline (config.yml), after the intent classifier and the
FallbackClassifier, so it works on every channel and with the action server down. Three
independent detectors look at every message (typed text starting with "/" included):
- the lexicon (spaCy Matcher on lemmas, ``crisis_lexicon.yml``),
- the semantic detector (each sentence and clause against a bank of risk exemplars and
  hard negatives with the shared sentence encoder, ``crisis_semantic.py``),
- the classifier, if it ranked ``crisis`` first, even if the FallbackClassifier then said
  ``nlu_fallback`` because it was unsure: at or above ``CLASSIFIER_CRISIS_CONFIDENCE`` that
  is a crisis, below it a check-in (on the dev split the classifier called one hard ordinary
  message in eight `crisis`, many of them confidently; see docs/safety/evaluation.md).
Any one of them at crisis level sets the intent to ``crisis``. Every message gets a
``risk`` record (the interface the dialogue and the console rely on):

    {"level": "none" | "check_in" | "crisis", "score": <semantic score of the riskiest clause>,
     "kinds": [most likely first], "triggered_by": [subset of lexicon, semantic, classifier]}

``check_in`` (an ambiguous message: a semantic score in the band below the crisis threshold,
a lexicon topic word or everyday phrase, a past act framed as the past, or an unsure classifier) leaves the intent
as the classifier said, with one exception that keeps "intent is `crisis`" the same as "level
is `crisis`": if the classifier's pick was an unsure `crisis`, its next choice stands. The
dialogue then asks the visitor directly. What matched on a crisis is also recorded as
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
from bot.nlu.crisis_lexicon import (
    CURRENT,
    PAST_OR_QUESTION,
    TOPIC_ONLY,
    CrisisDetector,
    matched_categories,
    matched_kinds,
)
from bot.nlu.crisis_semantic import CHECK_IN, CRISIS, NONE, SemanticCrisisDetector
from bot.nlu.spacy_model import DEFAULT_TARGET

CRISIS_INTENT = "crisis"
FALLBACK_INTENT = "nlu_fallback"
SAFETY_NET_KEY = "crisis_safety_net"
RISK_KEY = "risk"
LEXICON, SEMANTIC, CLASSIFIER = "lexicon", "semantic", "classifier"
_RANK = {NONE: 0, CHECK_IN: 1, CRISIS: 2}
# Chosen on evaluation/crisis/dev.yml: the classifier alone then raised 0.9% false alarms
# there (12% when any first-ranked `crisis` counted), and all three together 2.8%.
CLASSIFIER_CRISIS_CONFIDENCE = 0.99
# The old single-valued `crisis_safety_net.triggered_by` (the console reads it): first that fired.
_LEGACY_NAMES = {LEXICON: "rules", SEMANTIC: "semantic", CLASSIFIER: "classifier"}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
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
            "classifier_crisis_confidence": None,
        }

    def __init__(
        self,
        detector: CrisisDetector,
        semantic: Optional[SemanticCrisisDetector] = None,
        classifier_crisis_confidence: float = CLASSIFIER_CRISIS_CONFIDENCE,
    ) -> None:
        self.detector = detector
        self.semantic = semantic
        self.classifier_crisis_confidence = classifier_crisis_confidence

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
                check_in_threshold=crisis_semantic.CHECK_IN_THRESHOLD
                if check_in is None
                else float(check_in),
            )
        confidence = config.get("classifier_crisis_confidence")
        return cls(
            CrisisDetector(spacy.load(config["model"])),
            semantic,
            CLASSIFIER_CRISIS_CONFIDENCE if confidence is None else float(confidence),
        )

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._check(message)
        return messages

    def process_training_data(self, training_data: Any) -> Any:
        return training_data

    def assess(self, text: str, top_intent: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        """The risk record for ``text`` (plus the lexicon matches under ``_matches``).

        ``top_intent`` is the classifier's first choice past the fallback, with its confidence.
        """
        # Typed text that starts with "/" is checked too: "/i want to die" is not a button.
        text = (text or "").lstrip("/")
        matches = self.detector.find(text)
        levels: Dict[str, str] = {
            LEXICON: CRISIS
            if any(m["framing"] == CURRENT for m in matches)
            else (CHECK_IN if matches else NONE),
            CLASSIFIER: self._classifier_level(top_intent),
        }
        score, semantic_kinds = 0.0, []
        if self.semantic is not None:
            found = self.semantic.assess(text)
            levels[SEMANTIC], score, semantic_kinds = found.level, found.score, found.kinds
        # The classifier reads words: "suicidal" or "overdose" in a question about the past or
        # the service looks like a crisis to it. When the lexicon has read every risk word as
        # only a topic or a past act, and the semantic detector is not at crisis level, its
        # crisis is a check-in (issue 11: most of its dev false alarms, no dev risk message lost).
        if (
            levels[CLASSIFIER] == CRISIS
            and matches
            and levels.get(SEMANTIC) != CRISIS
            and all(m["framing"] in (TOPIC_ONLY, PAST_OR_QUESTION) for m in matches)
        ):
            levels[CLASSIFIER] = CHECK_IN
        level = max(levels.values(), key=_RANK.__getitem__)
        fired = [
            name for name in (LEXICON, SEMANTIC, CLASSIFIER) if levels.get(name) == level and level != NONE
        ]
        return {
            "level": level,
            "score": round(float(score), 4),
            "kinds": _kinds(level, levels, matched_kinds(matches), semantic_kinds),
            "triggered_by": fired,
            "_matches": matches,
        }

    def _classifier_level(self, top_intent: Optional[Dict[str, Any]]) -> str:
        if not top_intent or top_intent.get("name") != CRISIS_INTENT:
            return NONE
        confident = float(top_intent.get("confidence") or 0.0) >= self.classifier_crisis_confidence
        return CRISIS if confident else CHECK_IN

    def _check(self, message: Message) -> None:
        intent = message.get(INTENT) or {}
        risk = self.assess(message.get(TEXT) or "", _top_ranked_intent(message))
        matches = risk.pop("_matches")
        message.set(RISK_KEY, risk, add_to_output=True)
        if risk["level"] != CRISIS:
            if intent.get("name") == CRISIS_INTENT:
                message.set(INTENT, _next_choice(message), add_to_output=True)
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


def _kinds(
    level: str, levels: Dict[str, str], lexicon_kinds: List[str], semantic_kinds: List[str]
) -> List[str]:
    """Most likely first: the detector that reached the final level leads."""
    if level == NONE:
        return []
    lexicon_first = levels[LEXICON] == level and levels.get(SEMANTIC) != level
    ordered = (lexicon_kinds + semantic_kinds) if lexicon_first else (semantic_kinds + lexicon_kinds)
    return list(dict.fromkeys(ordered)) or ["self"]  # the classifier alone names no kind


def _next_choice(message: Message) -> Dict[str, Any]:
    """The classifier's best intent other than `crisis` (the fallback if that was ranked higher)."""
    for candidate in message.get(INTENT_RANKING_KEY) or []:
        if candidate.get("name") != CRISIS_INTENT:
            return {"name": candidate["name"], "confidence": candidate.get("confidence", 0.0)}
    return {"name": FALLBACK_INTENT, "confidence": 0.0}


def _top_ranked_intent(message: Message) -> Optional[Dict[str, Any]]:
    """The classifier's first choice (name, confidence), looking past the FallbackClassifier."""
    for candidate in message.get(INTENT_RANKING_KEY) or []:
        if candidate.get("name") != FALLBACK_INTENT:
            return candidate
    return None
