"""Evaluates a trained model on the held-out questions and the crisis file.

    python -m evaluation.model_eval [--model models/current.tar.gz] [--json out.json]

The held-out file (evaluation/heldout.yml) is never trained on. For FAQ questions the
prediction is the full topic (``faq/<id>``: intent plus the ResponseSelector's choice), so
a question counts as right only if the visitor would get the right answer.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

from bot.settings import PROJECT_ROOT

HELDOUT_FILE = PROJECT_ROOT / "evaluation" / "heldout.yml"
CRISIS_FILE = PROJECT_ROOT / "evaluation" / "crisis_legacy.yml"
DEFAULT_MODEL = PROJECT_ROOT / "models" / "current.tar.gz"


@dataclass
class Report:
    heldout_accuracy: float
    heldout_total: int
    heldout_errors: List[Tuple[str, str, str]] = field(default_factory=list)  # text, expected, got
    per_intent_accuracy: Dict[str, float] = field(default_factory=dict)
    crisis_recall: float = 0.0
    crisis_missed: List[str] = field(default_factory=list)
    crisis_false_alarm_rate: float = 0.0
    crisis_false_alarms: List[str] = field(default_factory=list)
    latency_ms_p50: float = 0.0
    latency_ms_p95: float = 0.0


def load_heldout(path: Path = HELDOUT_FILE) -> List[Tuple[str, str]]:
    """(text, expected intent or faq/<id>) pairs."""
    pairs = []
    for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
        for line in block["examples"].splitlines():
            line = line.strip()
            if line.startswith("- "):
                pairs.append((line[2:].strip(), block["intent"]))
    return pairs


def load_crisis(path: Path = CRISIS_FILE) -> Dict[str, List[str]]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def predicted_label(parse: Dict) -> str:
    """``faq/<id>`` for FAQ questions (what the visitor is answered with), else the intent."""
    intent = (parse.get("intent") or {}).get("name")
    if intent == "faq":
        selectors = parse.get("response_selector", {})
        # A ResponseSelector without `retrieval_intent` (stock Rasa's) files under "default".
        response = (selectors.get("faq") or selectors.get("default") or {}).get("response", {})
        return response.get("intent_response_key") or "faq"
    return intent or ""


def percentile(values: List[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def quiet_rasa_logs() -> None:
    """Rasa logs every parse at debug level; an evaluation only wants warnings."""
    import logging

    from rasa.utils.log_utils import configure_structlog

    logging.getLogger().setLevel(logging.WARNING)
    configure_structlog(logging.WARNING)


async def evaluate(model_path: Path) -> Report:
    from rasa.core.agent import Agent

    quiet_rasa_logs()
    agent = Agent.load(str(model_path))
    latencies: List[float] = []

    async def parse(text: str) -> Dict:
        started = time.perf_counter()
        result = await agent.parse_message(text)
        latencies.append((time.perf_counter() - started) * 1000)
        return result

    heldout = load_heldout()
    correct: Counter = Counter()
    totals: Counter = Counter()
    errors = []
    for text, expected in heldout:
        got = predicted_label(await parse(text))
        totals[expected] += 1
        if got == expected:
            correct[expected] += 1
        else:
            errors.append((text, expected, got))

    crisis = load_crisis()
    missed = [t for t in crisis["risk"] if predicted_label(await parse(t)) != "crisis"]
    false_alarms = [t for t in crisis["ordinary"] if predicted_label(await parse(t)) == "crisis"]

    return Report(
        heldout_accuracy=sum(correct.values()) / len(heldout),
        heldout_total=len(heldout),
        heldout_errors=errors,
        per_intent_accuracy={i: correct[i] / totals[i] for i in sorted(totals)},
        crisis_recall=1 - len(missed) / len(crisis["risk"]),
        crisis_missed=missed,
        crisis_false_alarm_rate=len(false_alarms) / len(crisis["ordinary"]),
        crisis_false_alarms=false_alarms,
        latency_ms_p50=percentile(latencies, 0.5),
        latency_ms_p95=percentile(latencies, 0.95),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--json", type=Path, help="also write the full report here")
    args = parser.parse_args()
    report = asyncio.run(evaluate(args.model))
    print(f"held-out accuracy   {report.heldout_accuracy:.1%} of {report.heldout_total}")
    print(f"crisis recall       {report.crisis_recall:.1%}  missed: {report.crisis_missed}")
    print(f"crisis false alarms {report.crisis_false_alarm_rate:.1%}  {report.crisis_false_alarms}")
    print(f"parse latency       p50 {report.latency_ms_p50:.1f} ms, p95 {report.latency_ms_p95:.1f} ms")
    by_pair = defaultdict(list)
    for text, expected, got in report.heldout_errors:
        by_pair[(expected, got)].append(text)
    for (expected, got), texts in sorted(by_pair.items()):
        print(f"  {expected} -> {got}: {texts}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(asdict(report), indent=2))


if __name__ == "__main__":
    main()
