"""How each server under test is started: the product, stock Rasa, and the product's options.

A setup is the product's Rasa server (processes/catalogue.py: ``python -m bot.serve``, as
``make run`` and the image start it) with options and an environment. The product runs with
the SQL tracker store it ships (SQLite in a temp file via TRACKER_DB_URL); the reference is
stock Rasa: the same process entry with ``rasa run`` as its command, over REST with the
in-memory tracker store.
"""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List

from processes import catalogue
from processes.lifecycle import Process

ROOT = catalogue.ROOT
RASA = str(Path(sys.executable).parent / "rasa")
BENCH_ENDPOINTS = ROOT / "bench" / "endpoints"


@dataclass
class Setup:
    name: str
    model: str  # "product" or "reference": which trained model it serves
    entry: str = "serve"  # "serve" (python -m bot.serve) or "rasa" (rasa run)
    endpoints: str = "endpoints.yml"
    credentials: str = "credentials.yml"
    store: str = "sqlite"  # sqlite | memory | postgres (memory: an endpoints file without tracker_store)
    env: Dict[str, str] = field(default_factory=dict)
    args: List[str] = field(default_factory=list)
    drop_env: List[str] = field(default_factory=list)  # e.g. TF_CPP_MIN_LOG_LEVEL for stock Rasa

    def process(
        self, key: str, model_path: Path, port: int, action_port: int, token: str, env: Dict[str, str]
    ) -> Process:
        server = catalogue.rasa_server(
            port,
            action_port,
            token,
            model=model_path,
            endpoints=self.endpoints,
            credentials=self.credentials,
            args=self.args,
            env={**env, **self.env},
        )
        server = dataclasses.replace(server, key=key, title=self.name, unset=list(self.drop_env))
        if self.entry == "rasa":  # stock Rasa's command line, everything else as the product's
            server.command = [RASA, "run", *server.command[3:]]
        return server


PRODUCT = Setup("product", "product")
REFERENCE = Setup(
    "reference",
    "reference",
    entry="rasa",
    store="memory",
    endpoints=str(BENCH_ENDPOINTS / "reference.yml"),
    credentials=str(ROOT / "bench" / "reference_credentials.yml"),
    drop_env=["TF_CPP_MIN_LOG_LEVEL"],
)

# The product's options, each changing one thing from PRODUCT (docs/performance.md, "Options").
OPTIONS: List[Setup] = [
    PRODUCT,
    Setup("product, `rasa run` (CLI)", "product", entry="rasa"),
    Setup("product, `rasa run` + HTTP API", "product", entry="rasa", args=["--enable-api"]),
    Setup("product, no warm-up", "product", args=["--no-warm-up"]),
    Setup("product, no import trimming", "product", args=["--no-trim-imports"]),
    Setup("product, TF logging on", "product", drop_env=["TF_CPP_MIN_LOG_LEVEL"]),
    Setup(
        "product, in-memory store", "product", store="memory", endpoints=str(BENCH_ENDPOINTS / "memory.yml")
    ),
    Setup(
        "product, SQLite WAL + synchronous=NORMAL",
        "product",
        endpoints=str(BENCH_ENDPOINTS / "sqlite_wal.yml"),
    ),
    Setup("product, PostgreSQL store", "product", store="postgres"),
    Setup(
        "product, 2 Sanic workers + Redis lock",
        "product",
        endpoints=str(BENCH_ENDPOINTS / "redis_lock.yml"),
        env={"SANIC_WORKERS": "2"},
    ),
    # Models trained from config.yml with one ResponseSelector change (bench/pipelines.py).
    Setup("product, small ResponseSelector", "product_small_rs"),
    Setup("product, small eager ResponseSelector", "product_small_eager_rs"),
    Setup("product, word-feature ResponseSelector", "product_word_rs"),
    Setup("product, scikit-learn FAQ selector (experiment)", "product_sklearn_rs"),
]
