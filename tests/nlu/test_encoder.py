"""bot/nlu/encoder.py: the shared sentence encoder, run for real on the shipped weights."""

import numpy as np
import pytest

from bot.nlu import encoder as encoder_module
from bot.nlu.encoder import EncoderIntegrityError, shared_encoder


def test_vectors_are_unit_length_and_repeatable():
    texts = ["How much does therapy cost?", "i cant go on anymore", ""]
    first = shared_encoder().encode(texts)
    second = shared_encoder().encode(list(reversed(texts)))[::-1]
    assert first.shape == (3, encoder_module.DIMENSIONS)
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-4)
    np.testing.assert_allclose(first, second, atol=1e-5)  # batch order and padding change nothing


def test_similar_meaning_scores_higher_than_a_different_question():
    vectors = shared_encoder().encode(
        ["What are your fees?", "How much does a session cost?", "Can children have this therapy?"]
    )
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


def test_empty_batch_gives_no_rows():
    assert shared_encoder().encode([]).shape == (0, encoder_module.DIMENSIONS)


def test_a_file_with_another_checksum_is_refused(monkeypatch):
    monkeypatch.setattr(encoder_module, "ONNX_SHA256", "0" * 64)
    with pytest.raises(EncoderIntegrityError, match="model.onnx"):
        encoder_module._onnx_bytes()
