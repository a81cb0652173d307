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


def test_a_text_seen_recently_is_not_run_through_the_network_again():
    encoder = encoder_module.SentenceEncoder(cache_size=8)
    first = encoder.encode(["is there a waiting list?"])
    runs = encoder.runs
    again = encoder.encode(["IS THERE A WAITING LIST?"])  # the same word pieces (the model is uncased)
    assert encoder.runs == runs
    np.testing.assert_array_equal(first, again)


def test_the_cache_is_bounded_and_changes_no_vector():
    cached = encoder_module.SentenceEncoder(cache_size=2)
    uncached = encoder_module.SentenceEncoder(cache_size=0)
    texts = ["one message", "another message", "a third one", "one message"]
    for text in texts:
        np.testing.assert_allclose(cached.encode([text]), uncached.encode([text]), atol=1e-6)
    assert len(cached._cache) == 2 and not uncached._cache


def test_spans_come_from_one_run_and_the_whole_text_equals_encode():
    encoder = encoder_module.SentenceEncoder(cache_size=8)
    text = "how much is it, i have been saving my tablets"
    runs = encoder.runs
    whole, clause = encoder.encode_spans(text, [(0, len(text)), (16, len(text))])
    assert encoder.runs == runs + 1
    np.testing.assert_allclose(whole, encoder.encode([text])[0], atol=1e-6)
    alone = encoder.encode([text[16:]])[0]
    assert float(clause @ alone) > 0.8  # the clause in context still means the clause
    assert abs(float(np.linalg.norm(clause)) - 1.0) < 1e-4


def test_a_span_past_the_word_piece_limit_is_encoded_on_its_own():
    encoder = encoder_module.SentenceEncoder(cache_size=8)
    text = "word " * 200 + "i want to die"
    tail = (text.index("i want"), len(text))
    (vector,) = encoder.encode_spans(text, [tail])
    np.testing.assert_allclose(vector, encoder.encode(["i want to die"])[0], atol=1e-6)
