"""FAQ figures for a trained model: real-question dev split, held-out file, gate curve, cost.

    python -m evaluation.faq_eval [--model models/current.tar.gz] [--split dev] [--json out.json]
    python -m evaluation.faq_eval --split test_fresh      # once, after merging (FRESH_TEST_SETS.md)

What the visitor gets is decided as the assistant decides it: the intent after the whole
NLU pipeline, the topic gate (bot/nlu/faq_gate.py) and, for a follow-up-shaped message with
no conversation before it, the follow-up action's own test (actions/answer_followup.py).

On the real questions (evaluation/real_questions/<split>.yml), each question lists its
acceptable topics in ``accept`` (topic ids, or ``out_of_scope`` where no topic answers it):
- **acceptable**: answered with an accepted topic; the crisis reply where ``crisis`` is
  accepted; or, where ``out_of_scope`` is accepted,
  the off-topic reply or the "not sure, did you mean…" reply (neither claims an answer);
- **wrong answer**: answered with a topic that is not accepted (the harm the gate exists for);
- **abstained**: "not sure" on a question that has an answer (not wrong, not acceptable),
  with how often an accepted topic was among the suggested buttons;
- other replies (off-topic reply to an answerable question, crisis, greeting…) are counted
  as ``other`` and are neither.
The gate curve recomputes the decision for each (threshold, margin) from the selector's
ranking stored on each parse, so one pass over the data gives the whole table.

The test split is frozen: run it once, on the final model, and never tune on it. So is
test_fresh, written later by someone who saw no training data or model output.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import yaml

from bot.settings import PROJECT_ROOT
from evaluation.model_eval import load_heldout, percentile, quiet_rasa_logs

REAL_DIR = PROJECT_ROOT / "evaluation" / "real_questions"
DEFAULT_MODEL = PROJECT_ROOT / "models" / "current.tar.gz"
SPLITS = ("dev", "test", "test_fresh")
OUT_OF_SCOPE = "out_of_scope"
CRISIS = "crisis"
ABSTAIN = "nlu_fallback"
THRESHOLDS = [0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
MARGINS = [0.0, 0.1, 0.2, 0.3]
SUGGESTIONS = 3

Ranking = List[Tuple[str, float]]


@dataclass
class Parsed:
    """What the evaluation needs from one parse."""

    text: str
    intent: str  # after the pipeline, before this module resolves follow-ups
    ranking: Ranking  # the selector's topics, best first
    gated: bool  # the gate (not the classifier) made it `nlu_fallback` or `faq_followup`


def load_real(split: str, directory: Path = REAL_DIR) -> List[Tuple[str, List[str]]]:
    """(question, accepted labels) from evaluation/real_questions/<split>.yml."""
    data = yaml.safe_load((directory / f"{split}.yml").read_text(encoding="utf-8"))
    items = data.get("questions", data) if isinstance(data, dict) else data
    pairs = []
    for item in items:
        accept = item.get("accept") or item.get("labels") or []
        if isinstance(accept, str):
            accept = [a.strip() for a in accept.split(",")]
        pairs.append((item["text"], [normalise_label(a) for a in accept]))
    return pairs


def normalise_label(label: str) -> str:
    label = label.strip()
    if label in ("decline", OUT_OF_SCOPE):
        return OUT_OF_SCOPE
    return label.partition("/")[2] if label.startswith("faq/") else label


def reply(parsed: Parsed, threshold: Optional[float] = None, margin: Optional[float] = None) -> str:
    """``faq/<id>``, ``nlu_fallback`` or another intent: what the visitor is answered with.

    With threshold and margin given, the gate's decision is recomputed with them."""
    intent = parsed.intent
    pre_gate_faq = intent in ("faq", "faq_followup") or (intent == ABSTAIN and parsed.gated)
    if not pre_gate_faq:
        return intent
    if threshold is None:
        if intent == "faq":
            return parsed.ranking[0][0] if parsed.ranking else ABSTAIN
        if intent == ABSTAIN:
            return ABSTAIN
        from actions.answer_followup import is_sure  # a follow-up with nothing before it

        return parsed.ranking[0][0] if is_sure(parsed.ranking) else ABSTAIN
    from bot.nlu.faq_gate import is_sure as gate_sure

    return parsed.ranking[0][0] if gate_sure(parsed.ranking, threshold, margin or 0.0) else ABSTAIN


def score_real(parsed: Sequence[Parsed], accepts: Sequence[List[str]], **gate: float) -> Dict[str, Any]:
    counts = {"acceptable": 0, "wrong_answer": 0, "abstained": 0, "abstained_right_suggested": 0, "other": 0}
    for item, accept in zip(parsed, accepts, strict=True):
        got = reply(item, **gate)
        topic = got.partition("/")[2] if got.startswith("faq/") else None
        if topic is not None:
            counts["acceptable" if topic in accept else "wrong_answer"] += 1
        elif got == CRISIS and CRISIS in accept:
            counts["acceptable"] += 1
        elif got in (ABSTAIN, OUT_OF_SCOPE) and OUT_OF_SCOPE in accept:
            counts["acceptable"] += 1
        elif got == ABSTAIN:
            counts["abstained"] += 1
            suggested = {key.partition("/")[2] for key, _ in item.ranking[:SUGGESTIONS]}
            counts["abstained_right_suggested"] += bool(suggested & set(accept))
        else:
            counts["other"] += 1
    # right answer, or the right topic one click away among the suggestions
    counts["within_one_click"] = counts["acceptable"] + counts["abstained_right_suggested"]
    total = max(1, len(parsed))
    return {"total": len(parsed), **counts, **{f"{k}_rate": v / total for k, v in counts.items()}}


def score_heldout(parsed: Sequence[Parsed], expected: Sequence[str], **gate: float) -> Dict[str, Any]:
    right = sum(1 for item, exp in zip(parsed, expected, strict=True) if reply(item, **gate) == exp)
    errors = [
        (item.text, exp, reply(item, **gate))
        for item, exp in zip(parsed, expected, strict=True)
        if reply(item, **gate) != exp
    ]
    faq = [(item, exp) for item, exp in zip(parsed, expected, strict=True) if exp.startswith("faq/")]
    faq_right = sum(1 for item, exp in faq if reply(item, **gate) == exp)
    return {
        "total": len(parsed),
        "accuracy": right / max(1, len(parsed)),
        "faq_accuracy": faq_right / max(1, len(faq)),
        "errors": errors,
    }


def gate_curve(parsed: Sequence[Parsed], accepts: Sequence[List[str]]) -> List[Dict[str, Any]]:
    rows = []
    for threshold in THRESHOLDS:
        for margin in MARGINS:
            result = score_real(parsed, accepts, threshold=threshold, margin=margin)
            rows.append({"threshold": threshold, "margin": margin, **result})
    return rows


def to_parsed(parse: Dict[str, Any]) -> Parsed:
    from bot.nlu.faq_gate import GATE_KEY, topic_ranking

    return Parsed(
        parse.get("text") or "",
        (parse.get("intent") or {}).get("name") or "",
        topic_ranking(parse),
        bool(parse.get(GATE_KEY)),
    )


async def parse_all(agent, texts: Iterable[str]) -> Tuple[List[Parsed], List[float]]:
    parsed, latencies = [], []
    for text in texts:
        started = time.perf_counter()
        parse = await agent.parse_message(text)
        latencies.append((time.perf_counter() - started) * 1000)
        parsed.append(to_parsed(parse))
    return parsed, latencies


async def evaluate(model: Path, splits: Sequence[str], curve: bool = True) -> Dict[str, Any]:
    from rasa.core.agent import Agent

    quiet_rasa_logs()
    started = time.perf_counter()
    agent = Agent.load(str(model))
    load_seconds = time.perf_counter() - started
    report: Dict[str, Any] = {"model": str(model), "load_seconds": load_seconds}
    heldout = load_heldout()
    parsed, latencies = await parse_all(agent, [t for t, _ in heldout])
    expected = [e for _, e in heldout]
    report["heldout"] = score_heldout(parsed, expected)
    if curve:
        report["heldout_gate_curve"] = [
            {
                "threshold": t,
                "margin": m,
                "accuracy": score_heldout(parsed, expected, threshold=t, margin=m)["accuracy"],
            }
            for t in THRESHOLDS
            for m in MARGINS
        ]
    all_latencies = list(latencies)
    for split in splits:
        if not (REAL_DIR / f"{split}.yml").exists():
            report[split] = {"missing": str(REAL_DIR / f"{split}.yml")}
            continue
        real = load_real(split)
        parsed, latencies = await parse_all(agent, [t for t, _ in real])
        accepts = [a for _, a in real]
        report[split] = score_real(parsed, accepts)
        # wrong answers and "other" replies (the ones neither acceptable nor an abstention)
        report[split]["errors"] = [
            (p.text, a, reply(p))
            for p, a in zip(parsed, accepts, strict=True)
            if score_real([p], [a])["acceptable"] == 0 and reply(p) != ABSTAIN
        ]
        if curve:
            report[f"{split}_gate_curve"] = gate_curve(parsed, accepts)
        all_latencies += latencies
    report["latency_ms_p50"] = percentile(all_latencies, 0.5)
    report["latency_ms_p95"] = percentile(all_latencies, 0.95)
    report["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return report


def print_report(report: Dict[str, Any], splits: Sequence[str]) -> None:
    held = report["heldout"]
    print(f"model {report['model']}")
    print(f"held-out: {held['accuracy']:.1%} of {held['total']} (FAQ topics {held['faq_accuracy']:.1%})")
    for split in splits:
        result = report.get(split, {})
        if "missing" in result:
            print(f"real {split}: no file at {result['missing']}")
            continue
        print(
            f"real {split} ({result['total']}): acceptable {result['acceptable_rate']:.1%}, "
            f"wrong answer {result['wrong_answer_rate']:.1%}, abstained {result['abstained_rate']:.1%} "
            f"(right topic suggested in {result['abstained_right_suggested']}), other {result['other_rate']:.1%}"
        )
    print(
        f"latency p50/p95 {report['latency_ms_p50']:.1f}/{report['latency_ms_p95']:.1f} ms, "
        f"max RSS {report['max_rss_mb']:.0f} MB, load {report['load_seconds']:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument(
        "--split", action="append", choices=SPLITS, help="real-question split(s); default dev"
    )
    parser.add_argument("--json", type=Path, help="write the full report here")
    args = parser.parse_args()
    splits = args.split or ["dev"]
    report = asyncio.run(evaluate(args.model, splits))
    print_report(report, splits)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
