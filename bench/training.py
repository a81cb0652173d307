"""Trains the product and the reference on the same domain and data, timing each run.

A model is retrained only when its inputs changed (a hash of config, domain, data and the
project's NLU code); the training time measured then is kept beside the model, so a
benchmark re-run reports the real (cold) training time without paying it again.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, List

ROOT = Path(__file__).resolve().parent.parent
RASA = str(Path(sys.executable).parent / "rasa")


@dataclass
class TrainedModel:
    name: str
    path: Path
    train_seconds: float
    retrained: bool


def inputs_hash(config: Path) -> str:
    files: List[Path] = [config, ROOT / "domain.yml", *sorted((ROOT / "data").rglob("*.yml"))]
    if "bot." in config.read_text() or "build/" in config.read_text():  # uses the project's NLU code
        files += sorted((ROOT / "bot" / "nlu").glob("*.py")) + sorted((ROOT / "bot" / "nlu").glob("*.yml"))
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def train(name: str, config: Path, out_dir: Path, force: bool = False) -> TrainedModel:
    out_dir.mkdir(parents=True, exist_ok=True)
    model = out_dir / f"{name}.tar.gz"
    record = out_dir / f"{name}.json"
    digest = inputs_hash(config)
    if not force and model.exists() and record.exists():
        saved = json.loads(record.read_text())
        if saved.get("inputs") == digest:
            return TrainedModel(name, model, saved["train_seconds"], retrained=False)

    # A fresh Rasa cache, so nothing is reused from an earlier training: the time is cold.
    with tempfile.TemporaryDirectory(prefix="bench-rasa-cache-") as cache:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "RASA_CACHE_DIRECTORY": cache,
            "TF_CPP_MIN_LOG_LEVEL": "3",
        }
        started = time.monotonic()
        subprocess.run(
            [
                RASA,
                "train",
                "--config",
                str(config),
                "--domain",
                "domain.yml",
                "--data",
                "data",
                "--out",
                str(out_dir),
                "--fixed-model-name",
                name,
                "--quiet",
            ],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        seconds = time.monotonic() - started
    record.write_text(json.dumps({"inputs": digest, "train_seconds": seconds, "config": str(config)}))
    return TrainedModel(name, model, seconds, retrained=True)


def train_all(specs: Iterable[tuple], out_dir: Path, force: bool = False) -> List[TrainedModel]:
    """``specs``: (name, config path) pairs, trained one after the other (2 cores: no overlap)."""
    return [train(name, config, out_dir, force) for name, config in specs]
