"""Where a server's time goes under load: py-spy samples it while closed-loop load runs.

    python -m bench.profile [--model var/bench/models/product.tar.gz] [--seconds 20]

Writes the folded stacks to results/bench/profile.folded (open with any flame-graph tool)
and prints the share of samples spent inside each of a few frames that matter: the NLU
pipeline, each component, the dialogue policies, the tracker store, the action server call.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Dict, List, Tuple

from bench import loadgen
from bench.runner import Bench, new_work_dir
from bench.setups import PRODUCT, ROOT, Setup
from evaluation.model_eval import load_heldout
from processes.lifecycle import start_all, stop_all

PY_SPY = str(Path(sys.executable).parent / "py-spy")

# (label, substring of a folded frame): a stack counts once for each label it contains.
FRAMES: List[Tuple[str, str]] = [
    ("NLU pipeline (parse_message)", "parse_message"),
    ("  ResponseSelector", "response_selector.py"),
    ("  LogisticRegressionClassifier", "logistic_regression_classifier.py"),
    ("  CountVectorsFeaturizer", "count_vectors_featurizer.py"),
    ("  spaCy (SpacyNLP)", "spacy_utils.py"),
    ("  CrisisSafetyNet", "crisis_safety_net.py"),
    ("  TensorFlow", "tensorflow/"),
    ("Dialogue policies (predict_next_action)", "predict_next_with_tracker"),
    ("Tracker store: read", "retrieve"),
    ("Tracker store: save", "save (rasa/core/tracker_store.py"),
    ("SQLAlchemy", "sqlalchemy/"),
    ("Action server call", "rasa/core/actions/action.py"),
    ("NLG (filling responses)", "nlg"),
    ("HTTP (sanic)", "sanic/"),
    ("Idle in the event loop", "select (selectors.py"),
]


def summarise(folded: Path) -> Dict[str, float]:
    stacks: Counter = Counter()
    for line in folded.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        stacks[stack] += int(count)
    total = sum(stacks.values()) or 1
    return {label: 100 * sum(n for s, n in stacks.items() if needle in s) / total for label, needle in FRAMES}


async def profile(setup: Setup, model: Path, seconds: float, senders: int, out: Path) -> Dict[str, float]:
    texts = [text for text, _ in load_heldout()]
    bench = Bench({setup.model: model}, new_work_dir(), texts)
    server = bench.server(setup, 0)
    try:
        start_all([bench.actions, server], bench.work_dir)
        await bench.first_reply_ms(server)
        spy = subprocess.Popen(
            [
                PY_SPY,
                "record",
                "--pid",
                str(server.pid),
                "--format",
                "raw",
                "--output",
                str(out),
                "--duration",
                str(int(seconds)),
                "--rate",
                "200",
                "--subprocesses",
                "--nonblocking",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        result = await loadgen.closed_loop(
            f"{server.url}/webhooks/rest/webhook", texts, senders, seconds, tag="profile"
        )
        spy.wait(timeout=seconds + 60)
        print(f"{result.throughput:.1f} msg/s, p50 {result.percentile(0.5):.0f} ms while profiling")
    finally:
        stop_all([server, bench.actions])
    return summarise(out)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, default=ROOT / "var" / "bench" / "models" / "product.tar.gz")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--senders", type=int, default=8)
    args = parser.parse_args()
    out = ROOT / "results" / "bench" / "profile.folded"
    out.parent.mkdir(parents=True, exist_ok=True)
    shares = asyncio.run(profile(PRODUCT, args.model, args.seconds, args.senders, out))
    print("| Where | Share of samples |\n|---|---:|")
    for label, share in shares.items():
        print(f"| {label} | {share:.0f}% |")


if __name__ == "__main__":
    main()
