"""How long the crisis check adds to a message, and the whole parse, in process (issue 11).

    python -m evaluation.crisis_latency [--model models/current.tar.gz]

On the crisis dev messages (dev.yml + dev_extra.yml), one message at a time as the server
sees them. "crisis check" is what the safety net does on top of the rest of the pipeline
(lexicon + semantic detector), timed after the message has been encoded once, as the
featurizer has done in the server. It measures whatever code is on the path: the figures
before issue 11 were taken by running this file against the earlier commit's tree. The
load average is printed with the figures: on a shared machine it moves them a lot.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np

from evaluation.crisis_split import DEV_EXTRA_FILE, DEV_FILE, load_parts


def dev_messages() -> List[str]:
    data = load_parts([DEV_FILE, DEV_EXTRA_FILE])
    return [item["text"] for key in ("risk", "ordinary") for item in data[key]]


def _forget(encoder) -> None:
    """Empty the encoder's cache (if it has one), so each message is measured as if new."""
    cache = getattr(encoder, "_cache", None)
    if cache is not None:
        cache.clear()


def percentiles(values: List[float]) -> Dict[str, float]:
    return {
        "p50": float(np.percentile(values, 50)),
        "p95": float(np.percentile(values, 95)),
        "n": len(values),
    }


def measure(model: Optional[Path]) -> Dict:
    import spacy

    from bot.nlu.crisis_lexicon import CrisisDetector
    from bot.nlu.crisis_safety_net import CrisisSafetyNet
    from bot.nlu.crisis_semantic import SemanticCrisisDetector
    from bot.nlu.encoder import shared_encoder
    from bot.nlu.spacy_model import DEFAULT_TARGET

    encoder = shared_encoder()
    net = CrisisSafetyNet(CrisisDetector(spacy.load(DEFAULT_TARGET)), SemanticCrisisDetector(encoder))
    agent = None
    if model is not None:
        from rasa.core.agent import Agent

        from evaluation.model_eval import quiet_rasa_logs

        quiet_rasa_logs()
        agent = Agent.load(str(model))
    times: Dict[str, List[float]] = {"crisis_check": [], "full_parse": [], "runs": []}
    texts = dev_messages()
    for text in texts[:3]:  # warm-up: first runs allocate
        net.assess(text)
    load_before = os.getloadavg()
    for text in texts:
        if agent is not None:
            _forget(encoder)
            start = time.perf_counter()
            asyncio.run(agent.parse_message(text))
            times["full_parse"].append((time.perf_counter() - start) * 1000)
        _forget(encoder)
        encoder.encode([text])  # what the featurizer has done before the safety net runs
        runs = getattr(encoder, "runs", 0)
        start = time.perf_counter()
        net.assess(text)
        times["crisis_check"].append((time.perf_counter() - start) * 1000)
        times["runs"].append(getattr(encoder, "runs", 0) - runs)
    report: Dict = {
        "messages": len(texts),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
    }
    report.update({key: percentiles(values) for key, values in times.items() if values and key != "runs"})
    if hasattr(encoder, "runs"):
        report["encoder_runs_per_message"] = float(np.mean(times["runs"]))
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="a trained model: adds the whole parse")
    args = parser.parse_args()
    report = measure(args.model)
    print(
        f"{report['messages']} dev messages; load average (1, 5, 15 min) "
        f"before {tuple(round(x, 2) for x in report['load_average_before'])}, "
        f"after {tuple(round(x, 2) for x in report['load_average_after'])} on {os.cpu_count()} cores"
    )
    for key in ("crisis_check", "full_parse"):
        if key in report:
            print(f"  {key:12s} p50 {report[key]['p50']:6.1f} ms  p95 {report[key]['p95']:6.1f} ms")
    if "encoder_runs_per_message" in report:
        print(f"  encoder runs per message in the crisis check: {report['encoder_runs_per_message']:.2f}")


if __name__ == "__main__":
    main()
