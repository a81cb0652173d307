"""The encoder featurizer adds the scaled sentence vector and keeps the unit vector for the selector."""

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.encoder import shared_encoder
from bot.nlu.encoder_featurizer import VECTOR_KEY, EncoderFeaturizer, encoded


def test_adds_sentence_features_scaled_and_stores_the_unit_vector():
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    message = Message(data={"text": "is therapy confidential"})
    tokenizer.process([message])
    featurizer = EncoderFeaturizer.create(
        {**EncoderFeaturizer.get_default_config(), "scale": 10.0}, None, None, ExecutionContext(None, "enc")
    )
    featurizer.process([message])
    sequence, sentence = message.get_dense_features("text")
    expected = shared_encoder().encode(["is therapy confidential"])[0]
    assert sentence.features.shape == (1, 384)
    assert np.allclose(sentence.features[0], expected * 10.0, atol=1e-5)
    assert sequence.features.shape == (3, 384)
    assert np.allclose(message.get(VECTOR_KEY), expected, atol=1e-6)
    assert VECTOR_KEY not in message.as_dict(only_output_properties=True)


def test_encoded_reuses_stored_vectors():
    message = Message(data={"text": "anything"})
    message.set(VECTOR_KEY, np.ones(384, dtype=np.float32))
    assert np.array_equal(encoded([message])[0], np.ones(384, dtype=np.float32))
