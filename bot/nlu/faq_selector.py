"""FAQ topic selection on the shared sentence encoder: a Rasa NLU component.

Replaces Rasa's TensorFlow ResponseSelector (docs/nlu.md has the measurements). Each
training example of the retrieval intent ``faq`` (``faq/<id>``), and each curated answer's
own text, is encoded with the shared all-MiniLM-L6-v2 encoder (``shared_encoder()``, one
model per server, the same one the crisis detector uses); a multinomial logistic regression
(deterministic lbfgs solver, so the same data always gives the same model) maps a vector to
the topics. Beside it, retrieval: each topic is also scored by how close its nearest stored
examples and answers are to the message (``ExampleMemory``), and the two distributions are
mixed. The regression generalises over a topic's examples; retrieval rewards a real
visitor's wording that one example happens to match closely, which the regression smooths
away (on the real dev split: +4 points right topic, fewer wrong answers at each gate
threshold, docs/nlu.md). At run time the message is encoded once and the topic probabilities are written
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


class ExampleMemory:
    """Retrieval over the stored vectors: a topic's score is the mean cosine similarity of its
    ``k`` nearest vectors to the message, soft-maxed over topics with ``temperature``."""

    def __init__(
        self, labels: Sequence[str], vectors: np.ndarray, topics: np.ndarray, k: int, temperature: float
    ) -> None:
        self.labels = list(labels)
        self.vectors = vectors.astype(np.float32)
        self.topics = topics.astype(np.int32)  # index into labels, one per stored vector
        self.k = int(k)
        self.temperature = float(temperature)
        self._members = [np.flatnonzero(self.topics == topic) for topic in range(len(self.labels))]

    @classmethod
    def build(
        cls,
        labels: Sequence[str],
        vectors: np.ndarray,
        vector_labels: Sequence[str],
        k: int,
        temperature: float,
    ) -> "ExampleMemory":
        index = {label: i for i, label in enumerate(labels)}
        return cls(labels, vectors, np.array([index[label] for label in vector_labels]), k, temperature)

    def probabilities(self, queries: np.ndarray) -> np.ndarray:
        similarity = queries @ self.vectors.T
        scores = np.full((len(queries), len(self.labels)), -1.0, dtype=np.float32)
        for topic, members in enumerate(self._members):
            if len(members):
                k = min(self.k, len(members))
                own = similarity[:, members]
                scores[:, topic] = np.partition(own, own.shape[1] - k, axis=1)[:, -k:].mean(axis=1)
        logits = (scores - scores.max(axis=1, keepdims=True)) / self.temperature
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)


class TopicScorer:
    """The regression, mixed with retrieval when there is a memory: what the selector ranks by."""

    def __init__(self, model: TopicModel, memory: Optional[ExampleMemory], weight: float) -> None:
        self.model = model
        self.memory = memory if weight > 0 else None
        self.weight = float(weight) if self.memory is not None else 0.0
        self.labels = model.labels

    def rank(self, vector: np.ndarray) -> List[Tuple[str, float]]:
        return self.rank_many(vector.reshape(1, -1))[0]

    def rank_many(self, vectors: np.ndarray) -> List[List[Tuple[str, float]]]:
        probs = self.model.probabilities(vectors)
        if self.memory is not None:
            probs = (1.0 - self.weight) * probs + self.weight * self.memory.probabilities(vectors)
        rankings = []
        for row in probs:
            order = np.argsort(-row, kind="stable")
            rankings.append([(self.labels[i], float(row[i])) for i in order])
        return rankings


def training_vectors(
    training_data: TrainingData, retrieval_intent: str, use_answers: bool
) -> Tuple[np.ndarray, List[str]]:
    """(vectors, ``faq/<id>`` labels): the examples, plus each answer's text if asked."""
    examples = [
        e
        for e in training_data.intent_examples
        if e.get(INTENT) == retrieval_intent and e.get(INTENT_RESPONSE_KEY)
    ]
    texts, labels = (
        answer_texts(training_data, {e.get(INTENT_RESPONSE_KEY) for e in examples})
        if use_answers
        else ([], [])
    )
    vectors = np.concatenate([encoded(examples), shared_encoder().encode(texts)])
    return vectors, [e.get(INTENT_RESPONSE_KEY) for e in examples] + labels


def answer_texts(training_data: TrainingData, known: set) -> Tuple[List[str], List[str]]:
    """Each curated answer's text, labelled with its topic."""
    texts: List[str] = []
    labels: List[str] = []
    for name, variations in sorted(training_data.responses.items()):
        key = name[len("utter_") :] if name.startswith("utter_") else name
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
            # Retrieval mixed in: its share of the final distribution, how many nearest
            # vectors per topic, and the soft-max temperature (chosen on the real dev split).
            "retrieval_weight": 0.3,
            "retrieval_k": 2,
            "retrieval_temperature": 0.02,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Optional[TopicModel] = None,
        memory: Optional[ExampleMemory] = None,
        responses: Optional[Dict[Text, List[Dict[Text, Any]]]] = None,
        retrieval_intents: Optional[List[Text]] = None,
    ) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self.model = model
        self.memory = memory
        self.scorer = (
            TopicScorer(model, memory, float(config.get("retrieval_weight", 0.0))) if model else None
        )
        self.responses = responses or {}
        self.retrieval_intents = retrieval_intents or []

    @classmethod
    def create(cls, config, model_storage, resource, execution_context) -> "EncoderFaqSelector":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        vectors, labels = training_vectors(
            training_data, self._config["retrieval_intent"], self._config["use_answers"]
        )
        self.responses = training_data.responses
        self.retrieval_intents = sorted(training_data.retrieval_intents)
        if len(set(labels)) >= 2:
            self.model = TopicModel.fit(vectors, labels, self._config["C"], self._config["max_iter"])
            if self._config["retrieval_weight"] > 0:
                self.memory = ExampleMemory.build(
                    self.model.labels,
                    vectors,
                    labels,
                    self._config["retrieval_k"],
                    self._config["retrieval_temperature"],
                )
            self.scorer = TopicScorer(self.model, self.memory, self._config["retrieval_weight"])
        self.persist()
        return self._resource

    def persist(self) -> None:
        import json

        with self._storage.write_to(self._resource) as directory:
            if self.model is not None:
                memory = (
                    {}
                    if self.memory is None
                    else {"memory_vectors": self.memory.vectors, "memory_topics": self.memory.topics}
                )
                np.savez(
                    directory / MODEL_FILE,
                    weights=self.model.weights,
                    bias=self.model.bias,
                    labels=np.array(self.model.labels),
                    **memory,
                )
            (directory / "meta.json").write_text(
                json.dumps({"responses": self.responses, "retrieval_intents": self.retrieval_intents})
            )

    @classmethod
    def load(cls, config, model_storage, resource, execution_context, **kwargs) -> "EncoderFaqSelector":
        import json

        model, memory, meta = None, None, {}
        try:
            with model_storage.read_from(resource) as directory:
                if (directory / MODEL_FILE).exists():
                    saved = np.load(directory / MODEL_FILE)
                    model = TopicModel([str(x) for x in saved["labels"]], saved["weights"], saved["bias"])
                    if "memory_vectors" in saved.files:
                        memory = ExampleMemory(
                            model.labels,
                            saved["memory_vectors"],
                            saved["memory_topics"],
                            config["retrieval_k"],
                            config["retrieval_temperature"],
                        )
                meta = json.loads((directory / "meta.json").read_text())
        except ValueError:
            pass  # nothing persisted (no FAQ data): the component passes messages through
        return cls(
            config,
            model_storage,
            resource,
            model,
            memory,
            meta.get("responses"),
            meta.get("retrieval_intents"),
        )

    def process(self, messages: List[Message]) -> List[Message]:
        if self.scorer is None:
            return messages
        for message in messages:
            text = message.get(TEXT) or ""
            vector = encoded([message])[0]
            self.write_prediction(message, self.scorer.rank(vector))
            if is_followup(text):
                message.set(CONTEXT_KEY, self.context_rankings(text), add_to_output=True)
        return messages

    def context_rankings(self, followup: str) -> Dict[str, List[List[Any]]]:
        """For each topic, the ranking of the follow-up read after that topic's question."""
        if self.scorer is None:
            return {}
        model = self.scorer.model
        questions = {topic_id: topic.question for topic_id, topic in all_topics().items()}
        topics = [key for key in model.labels if key.partition("/")[2] in questions]
        texts = [in_context(questions[key.partition("/")[2]], followup) for key in topics]
        vectors = shared_encoder().encode(texts)
        return context_table(topics, self.scorer.rank_many(vectors))

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
                {
                    "id": zlib.crc32(key.encode("utf-8")),
                    PREDICTED_CONFIDENCE_KEY: confidence,
                    INTENT_RESPONSE_KEY: key,
                }
                for key, confidence in ranking[:RANKING_LENGTH]
            ],
        }
        message.set(RESPONSE_SELECTOR_PROPERTY_NAME, properties, add_to_output=True)
