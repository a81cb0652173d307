"""Compares NLU set-ups by measurement, for docs/nlu.md (``make compare-nlu``).

For each candidate config in evaluation/candidates/: train the NLU (timed), intent
cross-validation (``rasa test nlu --cross-validation``), accuracy on the held-out file,
crisis recall and false alarms, per-message latency, and a sweep of the fallback
threshold (accuracy on held-out questions vs. nonsense caught). Writes var/eval/summary.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List

import yaml

from bot.settings import PROJECT_ROOT
from evaluation.model_eval import evaluate, load_heldout

CANDIDATES = PROJECT_ROOT / "evaluation" / "candidates"
OUT = PROJECT_ROOT / "var" / "eval"
GIBBERISH = PROJECT_ROOT / "evaluation" / "gibberish.yml"
RASA = str(Path(sys.executable).parent / "rasa")
THRESHOLDS = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7]


def run(command: List[str]) -> float:
    started = time.perf_counter()
    # No training cache: a candidate must not reuse another's trained components, or its
    # training time would be understated.
    env = {**os.environ, "RASA_MAX_CACHE_SIZE": "0"}
    subprocess.run(
        command, cwd=PROJECT_ROOT, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - started


def train(config: Path, out: Path) -> float:
    return run(
        [
            RASA,
            "train",
            "nlu",
            "--config",
            str(config),
            "--nlu",
            "data",
            "--out",
            str(out),
            "--fixed-model-name",
            "nlu",
        ]
    )


def cross_validate(config: Path, out: Path, folds: int) -> Dict[str, float]:
    run(
        [
            RASA,
            "test",
            "nlu",
            "--nlu",
            "data",
            "--config",
            str(config),
            "--cross-validation",
            "--folds",
            str(folds),
            "--out",
            str(out),
        ]
    )
    intents = json.loads((out / "intent_report.json").read_text())["weighted avg"]
    selector_file = out / "response_selection_report.json"
    selector = json.loads(selector_file.read_text())["weighted avg"] if selector_file.exists() else {}
    return {"intent_f1": intents["f1-score"], "faq_topic_f1": selector.get("f1-score", float("nan"))}


async def threshold_sweep(model: Path) -> List[Dict[str, float]]:
    """Held-out accuracy and nonsense caught, if the FallbackClassifier used each threshold."""
    from rasa.core.agent import Agent

    from evaluation.model_eval import predicted_label

    agent = Agent.load(str(model))
    heldout = [(t, e) for t, e in load_heldout() if e != "crisis"]  # crisis never falls back
    scored = []
    for text, expected in heldout:
        parse = await agent.parse_message(text)
        scored.append((predicted_label(parse) == expected, parse["intent"]["confidence"], expected))
    nonsense = []
    for text in yaml.safe_load(GIBBERISH.read_text()):
        parse = await agent.parse_message(text)
        nonsense.append((parse["intent"]["name"], parse["intent"]["confidence"]))
    rows = []
    for threshold in THRESHOLDS:
        # an off-topic message answered "not sure" is fine; anything else must be right and confident
        right = sum(
            1
            for ok, conf, exp in scored
            if (ok and conf >= threshold) or (exp == "out_of_scope" and conf < threshold)
        )
        caught = sum(1 for name, conf in nonsense if conf < threshold or name == "out_of_scope")
        rows.append(
            {
                "threshold": threshold,
                "heldout_accuracy": right / len(scored),
                "nonsense_caught": caught / len(nonsense),
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--only", nargs="*", help="candidate names (file stems) to run")
    args = parser.parse_args()
    summary = {}
    for config in sorted(CANDIDATES.glob("*.yml")):
        if args.only and config.stem not in args.only:
            continue
        out = OUT / config.stem
        print(f"== {config.stem}", flush=True)
        seconds = train(config, out)
        model = out / "nlu.tar.gz"
        report = asyncio.run(evaluate(model))
        result = {
            "train_seconds": seconds,
            **cross_validate(config, out / "cv", args.folds),
            "heldout_accuracy": report.heldout_accuracy,
            "crisis_recall": report.crisis_recall,
            "crisis_false_alarm_rate": report.crisis_false_alarm_rate,
            "crisis_false_alarms": report.crisis_false_alarms,
            "latency_ms_p50": report.latency_ms_p50,
            "latency_ms_p95": report.latency_ms_p95,
            "threshold_sweep": asyncio.run(threshold_sweep(model)),
        }
        summary[config.stem] = result
        print(json.dumps(result, indent=1), flush=True)
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / "summary.json").write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
