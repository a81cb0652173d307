"""An experiment, not shipped: choosing the FAQ answer with logistic regression, no TensorFlow.

The ResponseSelector is most of the product's start time, memory and per-message CPU
(docs/performance.md). This component does its job (picks ``faq/<id>`` for a message the
intent classifier called ``faq``) with scikit-learn on the same sparse features, and writes
the same ``response_selector`` output, so rules and ``utter_faq`` work unchanged. Measured
by ``make bench-options`` as the setup ``product_sklearn_rs`` (bench/pipelines.py).
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, vstack
from sklearn.linear_model import LogisticRegression


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class SklearnResponseSelector(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"retrieval_intent": "faq", "max_iter": 200, "ranking_length": 5}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SklearnResponseSelector":
        return cls(config, model_storage, resource)

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        classifier: Optional[LogisticRegression] = None,
        responses: Optional[Dict[Text, List[Dict]]] = None,
        retrieval_intents: Optional[List[Text]] = None,
    ) -> None:
        self.config, self.storage, self.resource = config, model_storage, resource
        self.classifier, self.responses = classifier, responses or {}
        self.retrieval_intents = retrieval_intents or []

    @staticmethod
    def _features(message: Message) -> Optional[csr_matrix]:
        _, sentence = message.get_sparse_features(TEXT)
        return None if sentence is None else csr_matrix(sentence.features)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [
            m for m in training_data.intent_examples if m.get(INTENT) == self.config["retrieval_intent"]
        ]
        rows = [(self._features(m), m.get(INTENT_RESPONSE_KEY)) for m in examples]
        rows = [(x, y) for x, y in rows if x is not None and y]
        self.classifier = LogisticRegression(max_iter=self.config["max_iter"], class_weight="balanced")
        self.classifier.fit(vstack([x for x, _ in rows]), [y for _, y in rows])
        self.responses = training_data.responses
        self.retrieval_intents = list(training_data.retrieval_intents)
        self.persist()
        return self.resource

    def process(self, messages: List[Message]) -> List[Message]:
        key = self.config["retrieval_intent"]
        for message in messages:
            features = self._features(message)
            if self.classifier is None or features is None or (message.get(INTENT) or {}).get("name") != key:
                continue
            probabilities = self.classifier.predict_proba(features)[0]
            order = np.argsort(probabilities)[::-1][: self.config["ranking_length"]]
            ranking = [
                {
                    "intent_response_key": str(self.classifier.classes_[i]),
                    "confidence": float(probabilities[i]),
                }
                for i in order
            ]
            best = ranking[0]["intent_response_key"]
            utter = f"utter_{best}"
            selectors = message.get("response_selector", {})
            selectors["all_retrieval_intents"] = self.retrieval_intents
            selectors[key] = {
                "response": {
                    "responses": self.responses.get(utter, []),
                    "confidence": ranking[0]["confidence"],
                    "intent_response_key": best,
                    "utter_action": utter,
                },
                "ranking": ranking,
            }
            message.set("response_selector", selectors, add_to_output=True)
        return messages

    def persist(self) -> None:
        import skops.io as sio

        with self.storage.write_to(self.resource) as directory:
            sio.dump(self.classifier, directory / "classifier.skops")
            (directory / "responses.json").write_text(
                json.dumps({"responses": self.responses, "retrieval_intents": self.retrieval_intents})
            )

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "SklearnResponseSelector":
        import skops.io as sio

        with model_storage.read_from(resource) as directory:
            path = directory / "classifier.skops"
            untrusted = sio.get_untrusted_types(file=path)
            if untrusted:  # as Rasa's own classifier: never unpickle anything unexpected
                raise ValueError(f"untrusted types in {path}: {untrusted}")
            classifier = sio.load(path, trusted=untrusted)
            saved = json.loads((directory / "responses.json").read_text())
        return cls(
            config, model_storage, resource, classifier, saved["responses"], saved["retrieval_intents"]
        )
