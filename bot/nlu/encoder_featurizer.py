"""Sentence-encoder features for Rasa's classifiers: a dense featurizer component.

Adds the shared encoder's vector of each message (bot/nlu/encoder.py, one model per
server) as a sentence-level dense feature, so the intent classifier sees meaning as well
as the word and character counts. The vector is scaled (``scale``) because the logistic
regression's one regularisation strength must serve unit-length vectors and raw counts at
once; 10 was measured best (docs/nlu.md). The unscaled vector is also kept on the message
(not in the output) so the FAQ selector does not encode the same text twice.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.encoder import shared_encoder

VECTOR_KEY = "sentence_encoder_vector"  # on the message, not in the parse output


def encoded(messages: List[Message]) -> np.ndarray:
    """The unit vectors of these messages' texts, reusing what the featurizer stored."""
    missing = [m for m in messages if m.get(VECTOR_KEY) is None]
    if missing:
        for message, vector in zip(
            missing, shared_encoder().encode([m.get(TEXT) or "" for m in missing]), strict=True
        ):
            message.set(VECTOR_KEY, vector, add_to_output=False)
    if not messages:
        return np.zeros((0, 384), dtype=np.float32)
    return np.stack([m.get(VECTOR_KEY) for m in messages])


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class EncoderFeaturizer(DenseFeaturizer, GraphComponent):
    @classmethod
    def required_components(cls) -> List[type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**DenseFeaturizer.get_default_config(), "scale": 10.0}

    def __init__(self, config: Dict[Text, Any], name: Text) -> None:
        super().__init__(name, config)
        self.scale = float(config["scale"])

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "EncoderFeaturizer":
        return cls(config, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        pass

    def process(self, messages: List[Message]) -> List[Message]:
        self._featurize([m for m in messages if m.get(TEXT) is not None])
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize([m for m in training_data.training_examples if m.get(TEXT)])
        return training_data

    def _featurize(self, messages: List[Message]) -> None:
        vectors = encoded(messages)
        for message, vector in zip(messages, vectors, strict=True):
            tokens = message.get(TOKENS_NAMES[TEXT]) or []
            sentence = (vector * self.scale).reshape(1, -1)
            # Sequence features are required by the interface; only the sentence one is used.
            sequence = np.zeros((max(1, len(tokens)), vector.shape[0]), dtype=np.float32)
            self.add_features_to_message(sequence, sentence, TEXT, message)
