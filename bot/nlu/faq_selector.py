"""FAQ topic selection on the shared sentence encoder: a Rasa NLU component.

Replaces Rasa's TensorFlow ResponseSelector (docs/nlu.md has the measurements). Each
training example of the retrieval intent ``faq`` (``faq/<id>``), and each curated answer's
own text, is encoded with the shared all-MiniLM-L6-v2 encoder (``shared_encoder()``, one
model per server, the same one the crisis detector uses); a multinomial logistic regression
(deterministic lbfgs solver, so the same data always gives the same model) maps a vector to
the topics. At run time the message is encoded once and the topic probabilities are written
in exactly the structure Rasa 3.6's ResponseSelector writes, so ``utter_faq`` picks the
answer and the gate (bot/nlu/faq_gate.py) and suggestions read the ranking.
"""

from __future__ import annotations

import zlib
from typing import Any, Dict, List, Optional, Sequence, Text, Tuple

import numpy as np
from rasa.engine.graph import GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.content.topics import all_topics
from bot.nlu.encoder import shared_encoder
from bot.nlu.encoder_featurizer import encoded
from bot.nlu.followup import CONTEXT_KEY, context_table, in_context, is_followup

MODEL_FILE = "faq_selector.npz"
RANKING_LENGTH = 10


class TopicModel:
    """Linear soft-max over encoder vectors: the trained part, small and plain numpy."""

    def __init__(self, labels: Sequence[str], weights: np.ndarray, bias: np.ndarray) -> None:
        self.labels = list(labels)
        self.weights = weights.astype(np.float32)
        self.bias = bias.astype(np.float32)

    @classmethod
    def fit(cls, vectors: np.ndarray, labels: Sequence[str], c: float, max_iter: int) -> "TopicModel":
        from sklearn.linear_model import LogisticRegression

        classifier = LogisticRegression(C=c, max_iter=max_iter, solver="lbfgs")
        classifier.fit(vectors, list(labels))
        return cls(list(classifier.classes_), classifier.coef_, classifier.intercept_)

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        logits = vectors @ self.weights.T + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def rank(self, vector: np.ndarray) -> List[Tuple[str, float]]:
        probs = self.probabilities(vector.reshape(1, -1))[0]
        order = np.argsort(-probs, kind="stable")
        return [(self.labels[i], float(probs[i])) for i in order]


def training_vectors(training_data: TrainingData, retrieval_intent: str, use_answers: bool) -> Tuple[np.ndarray, List[str]]:
    """(vectors, ``faq/<id>`` labels): the examples, plus each answer's text if asked."""
    examples = [e for e in training_data.intent_examples
                if e.get(INTENT) == retrieval_intent and e.get(INTENT_RESPONSE_KEY)]
    texts, labels = answer_texts(training_data, {e.get(INTENT_RESPONSE_KEY) for e in examples}) if use_answers else ([], [])
    vectors = np.concatenate([encoded(examples), shared_encoder().encode(texts)])
    return vectors, [e.get(INTENT_RESPONSE_KEY) for e in examples] + labels


def answer_texts(training_data: TrainingData, known: set) -> Tuple[List[str], List[str]]:
    """Each curated answer's text, labelled with its topic."""
    texts: List[str] = []
    labels: List[str] = []
    for name, variations in sorted(training_data.responses.items()):
        key = name[len("utter_"):] if name.startswith("utter_") else name
        if key in known:
            for variation in variations:
                if variation.get("text"):
                    texts.append(variation["text"])
                    labels.append(key)
    return texts, labels


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class EncoderFaqSelector(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "retrieval_intent": "faq",
            # Inverse regularisation strength; 30 chosen on the real dev split (docs/nlu.md).
            "C": 30.0,
            "max_iter": 2000,
            # Also learn from the curated answers' own wording.
            "use_answers": True,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Optional[TopicModel] = None,
        responses: Optional[Dict[Text, List[Dict[Text, Any]]]] = None,
        retrieval_intents: Optional[List[Text]] = None,
    ) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self.model = model
        self.responses = responses or {}
        self.retrieval_intents = retrieval_intents or []

    @classmethod
    def create(cls, config, model_storage, resource, execution_context) -> "EncoderFaqSelector":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        vectors, labels = training_vectors(training_data, self._config["retrieval_intent"], self._config["use_answers"])
        self.responses = training_data.responses
        self.retrieval_intents = sorted(training_data.retrieval_intents)
        if len(set(labels)) >= 2:
            self.model = TopicModel.fit(vectors, labels, self._config["C"], self._config["max_iter"])
        self.persist()
        return self._resource

    def persist(self) -> None:
        import json

        with self._storage.write_to(self._resource) as directory:
            if self.model is not None:
                np.savez(directory / MODEL_FILE, weights=self.model.weights, bias=self.model.bias,
                         labels=np.array(self.model.labels))
            (directory / "meta.json").write_text(json.dumps(
                {"responses": self.responses, "retrieval_intents": self.retrieval_intents}))

    @classmethod
    def load(cls, config, model_storage, resource, execution_context, **kwargs) -> "EncoderFaqSelector":
        import json

        model, meta = None, {}
        try:
            with model_storage.read_from(resource) as directory:
                if (directory / MODEL_FILE).exists():
                    saved = np.load(directory / MODEL_FILE)
                    model = TopicModel([str(x) for x in saved["labels"]], saved["weights"], saved["bias"])
                meta = json.loads((directory / "meta.json").read_text())
        except ValueError:
            pass  # nothing persisted (no FAQ data): the component passes messages through
        return cls(config, model_storage, resource, model, meta.get("responses"), meta.get("retrieval_intents"))

    def process(self, messages: List[Message]) -> List[Message]:
        if self.model is None:
            return messages
        for message in messages:
            text = message.get(TEXT) or ""
            vector = encoded([message])[0]
            self.write_prediction(message, self.model.rank(vector))
            if is_followup(text):
                message.set(CONTEXT_KEY, self.context_rankings(text), add_to_output=True)
        return messages

    def context_rankings(self, followup: str) -> Dict[str, List[List[Any]]]:
        """For each topic, the ranking of the follow-up read after that topic's question."""
        if self.model is None:
            return {}
        model = self.model
        questions = {topic_id: topic.question for topic_id, topic in all_topics().items()}
        topics = [key for key in model.labels if key.partition("/")[2] in questions]
        texts = [in_context(questions[key.partition("/")[2]], followup) for key in topics]
        vectors = shared_encoder().encode(texts)
        return context_table(topics, [model.rank(v) for v in vectors])

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def write_prediction(self, message: Message, ranking: List[Tuple[str, float]]) -> None:
        """Sets ``response_selector`` on the message as Rasa 3.6's ResponseSelector does."""
        top_key, top_confidence = ranking[0]
        utter_action = f"utter_{top_key}"
        properties = message.get(RESPONSE_SELECTOR_PROPERTY_NAME, {}) or {}
        properties[RESPONSE_SELECTOR_RETRIEVAL_INTENTS] = self.retrieval_intents
        properties[self._config["retrieval_intent"]] = {
            RESPONSE_SELECTOR_PREDICTION_KEY: {
                RESPONSE_SELECTOR_RESPONSES_KEY: self.responses.get(utter_action, [{TEXT: top_key}]),
                PREDICTED_CONFIDENCE_KEY: top_confidence,
                INTENT_RESPONSE_KEY: top_key,
                RESPONSE_SELECTOR_UTTER_ACTION_KEY: utter_action,
            },
            RESPONSE_SELECTOR_RANKING_KEY: [
                {"id": zlib.crc32(key.encode("utf-8")), PREDICTED_CONFIDENCE_KEY: confidence, INTENT_RESPONSE_KEY: key}
                for key, confidence in ranking[:RANKING_LENGTH]
            ],
        }
        message.set(RESPONSE_SELECTOR_PROPERTY_NAME, properties, add_to_output=True)
