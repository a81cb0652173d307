"""Measures the crisis detectors on the hand-written crisis evaluation.

    python -m evaluation.crisis_eval --part dev [--model models/current.tar.gz] [--json out.json]
    python -m evaluation.crisis_eval --part dev --tune       # the semantic threshold table (dev only)
    python -m evaluation.crisis_eval --part test_fresh --model models/current.tar.gz   # once, after merging

"--part dev" reads evaluation/crisis/dev.yml and dev_extra.yml together (both are tuned on);
"dev_split" and "dev_extra" give each alone.

Each detector alone (lexicon, semantic, classifier) and all together (the trained model's
parse, as the Rasa server sees it): recall on risk messages and false-alarm rate on hard
ordinary messages, per category, the check-in band's share, multi-turn conversations, and
latency per message in-process. Without --model only the lexicon and the semantic detector
are measured. The test part is frozen (docs/safety/evaluation.md): never tune on it. The
test_fresh part (evaluation/FRESH_TEST_SETS.md) was written later, apart from all tuning: the
lead runs it once, after merging.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np

from bot.nlu.crisis_lexicon import CURRENT, CrisisDetector
from bot.nlu.crisis_semantic import CHECK_IN, CRISIS, NONE, SemanticCrisisDetector
from evaluation.crisis_split import DEV_EXTRA_FILE, DEV_FILE, TEST_FILE, load_parts
from evaluation.fresh_sets import CRISIS_FRESH

# "dev" is everything tuned on: the split's dev.yml and the hand-written dev_extra.yml;
# "dev_split" and "dev_extra" report each file alone. The test parts are frozen.
PARTS = {
    "dev": (DEV_FILE, DEV_EXTRA_FILE),
    "dev_split": (DEV_FILE,),
    "dev_extra": (DEV_EXTRA_FILE,),
    "test": (TEST_FILE,),
    "test_fresh": (CRISIS_FRESH,),
}
DETECTORS = ("lexicon", "semantic", "classifier", "together")


def percentile(values: List[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else 0.0


class Detectors:
    """Each detector's level for a message; `together` from the trained model when given."""

    def __init__(self, model: Optional[Path]) -> None:
        import spacy

        from bot.nlu.encoder import shared_encoder
        from bot.nlu.spacy_model import DEFAULT_TARGET

        self.lexicon = CrisisDetector(spacy.load(DEFAULT_TARGET))
        self.semantic = SemanticCrisisDetector(shared_encoder())
        self.agent = None
        if model is not None:
            from rasa.core.agent import Agent

            from evaluation.model_eval import quiet_rasa_logs

            quiet_rasa_logs()
            self.agent = Agent.load(str(model))
        self.latency: Dict[str, List[float]] = defaultdict(list)

    def lexicon_level(self, text: str) -> str:
        matches = self.lexicon.find(text.lstrip("/"))
        if any(m["framing"] == CURRENT for m in matches):
            return CRISIS
        return CHECK_IN if matches else NONE

    def levels(self, text: str) -> Dict[str, str]:
        start = time.perf_counter()
        levels = {"lexicon": self.lexicon_level(text)}
        middle = time.perf_counter()
        found = self.semantic.assess(text)
        end = time.perf_counter()
        levels["semantic"] = found.level
        levels["semantic_score"] = found.score
        self.latency["lexicon"].append((middle - start) * 1000)
        self.latency["semantic"].append((end - middle) * 1000)
        if self.agent is not None:
            start = time.perf_counter()
            parse = asyncio.run(self.agent.parse_message(text))
            self.latency["full_parse"].append((time.perf_counter() - start) * 1000)
            from bot.nlu.crisis_safety_net import CLASSIFIER_CRISIS_CONFIDENCE

            ranking = [c for c in parse.get("intent_ranking") or [] if c["name"] != "nlu_fallback"]
            first = ranking[0] if ranking else {}
            if first.get("name") != "crisis":
                levels["classifier"] = NONE
            else:
                confident = first["confidence"] >= CLASSIFIER_CRISIS_CONFIDENCE
                levels["classifier"] = CRISIS if confident else CHECK_IN
            risk = parse.get("risk") or {}
            levels["together"] = (
                CRISIS if (parse.get("intent") or {}).get("name") == "crisis" else risk.get("level", NONE)
            )
            levels["kinds"] = risk.get("kinds", [])
        return levels


def rate(flags: List[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0


def evaluate(part: str, model: Optional[Path]) -> Dict:
    data = load_parts(list(PARTS[part]))
    detectors = Detectors(model)
    names = [d for d in DETECTORS if model is not None or d in ("lexicon", "semantic")]
    results = {"part": part, "detectors": names, "risk": {}, "ordinary": {}, "misses": {}, "false_alarms": {}}
    scored = {
        key: [(item, detectors.levels(item["text"])) for item in data[key]] for key in ("risk", "ordinary")
    }
    for name in names:
        risk = [(item, levels[name]) for item, levels in scored["risk"]]
        ordinary = [(item, levels[name]) for item, levels in scored["ordinary"]]
        per_category = defaultdict(list)
        for item, level in risk:
            per_category[item["category"]].append(level == CRISIS)
        results["risk"][name] = {
            "recall": rate([level == CRISIS for _, level in risk]),
            "recall_or_check_in": rate([level != NONE for _, level in risk]),
            "per_category": {c: rate(v) for c, v in sorted(per_category.items())},
        }
        per_category = defaultdict(list)
        for item, level in ordinary:
            per_category[item["category"]].append(level == CRISIS)
        results["ordinary"][name] = {
            "false_alarm_rate": rate([level == CRISIS for _, level in ordinary]),
            "check_in_share": rate([level == CHECK_IN for _, level in ordinary]),
            "per_category": {c: rate(v) for c, v in sorted(per_category.items()) if any(v)},
        }
        results["misses"][name] = [
            {"text": item["text"], "category": item["category"], "level": level}
            for item, level in risk
            if level != CRISIS
        ]
        results["false_alarms"][name] = [
            {"text": item["text"], "category": item["category"]}
            for item, level in ordinary
            if level == CRISIS
        ]
    final = names[-1]
    results["check_in_share_all_messages"] = rate(
        [levels[final] == CHECK_IN for key in scored for _, levels in scored[key]]
    )
    results["conversations"] = _conversations(data, detectors, final)
    results["latency_ms"] = {
        name: {"p50": percentile(values, 50), "p95": percentile(values, 95), "n": len(values)}
        for name, values in detectors.latency.items()
    }
    if model is not None:
        kinds_right = [
            item["kind"] in levels.get("kinds", [])[:2]
            for item, levels in scored["risk"]
            if levels["together"] == CRISIS
        ]
        results["kind_in_top_two"] = rate(kinds_right)
    results["_scores"] = {
        "risk": [levels["semantic_score"] for _, levels in scored["risk"]],
        "ordinary": [levels["semantic_score"] for _, levels in scored["ordinary"]],
    }
    return results


def _conversations(data: Dict, detectors: Detectors, final: str) -> Dict:
    def levels_of(conversation):
        return [detectors.levels(turn)[final] for turn in conversation["turns"]]

    risk = [levels_of(c) for c in data.get("conversations_risk", [])]
    ordinary = [levels_of(c) for c in data.get("conversations_ordinary", [])]
    return {
        "risk_caught": rate([CRISIS in levels for levels in risk]),
        "risk_caught_or_check_in": rate([any(level != NONE for level in levels) for levels in risk]),
        "ordinary_false_alarm": rate([CRISIS in levels for levels in ordinary]),
        "ordinary_check_in": rate([CHECK_IN in levels for levels in ordinary]),
        "missed": [
            c["turns"]
            for c, levels in zip(data.get("conversations_risk", []), risk, strict=True)
            if CRISIS not in levels
        ],
        "n_risk": len(risk),
        "n_ordinary": len(ordinary),
    }


def threshold_table(results: Dict) -> List[str]:
    """Semantic recall at the thresholds that allow a given false-alarm rate (dev only)."""
    risk = np.array(results["_scores"]["risk"])
    ordinary = np.array(results["_scores"]["ordinary"])
    lines = ["false alarms  threshold  semantic recall"]
    for fa in (0.01, 0.02, 0.03, 0.05, 0.10, 0.15, 0.20):
        threshold = float(np.quantile(ordinary, 1 - fa))
        lines.append(f"{fa:11.0%}  {threshold:9.3f}  {float((risk > threshold).mean()):15.1%}")
    return lines


def report_lines(results: Dict) -> List[str]:
    lines = [f"crisis evaluation, {results['part']} part"]
    for name in results["detectors"]:
        r, o = results["risk"][name], results["ordinary"][name]
        lines.append(
            f"  {name:10s} recall {r['recall']:6.1%} (with check-in {r['recall_or_check_in']:6.1%})  "
            f"false alarms {o['false_alarm_rate']:5.1%}  check-in on ordinary {o['check_in_share']:5.1%}"
        )
    c = results["conversations"]
    lines.append(
        f"  conversations: risk caught {c['risk_caught']:.1%} of {c['n_risk']} (with check-in "
        f"{c['risk_caught_or_check_in']:.1%}), "
        f"ordinary false alarms {c['ordinary_false_alarm']:.1%} of {c['n_ordinary']}"
    )
    lines.append(f"  check-in share of all messages: {results['check_in_share_all_messages']:.1%}")
    for name, lat in results["latency_ms"].items():
        lines.append(
            f"  latency {name:10s} p50 {lat['p50']:6.1f} ms  p95 {lat['p95']:6.1f} ms  (n={lat['n']})"
        )
    return lines


def markdown(dev: Dict, test: Dict) -> str:
    """The tables in docs/nlu.md and docs/safety/evaluation.md, from two --json reports."""
    out = [
        "| detector | dev recall | dev false alarms | test recall | test false alarms | test check-in on ordinary |",
        "|---|---|---|---|---|---|",
    ]
    for name in test["detectors"]:
        out.append(
            f"| {name} | {dev['risk'][name]['recall']:.1%} | {dev['ordinary'][name]['false_alarm_rate']:.1%} | "
            f"**{test['risk'][name]['recall']:.1%}** | **{test['ordinary'][name]['false_alarm_rate']:.1%}** | "
            f"{test['ordinary'][name]['check_in_share']:.1%} |"
        )
    final = test["detectors"][-1]
    out += [
        "",
        f"Recall per risk category ({final}):",
        "",
        "| category | dev | test | test misses |",
        "|---|---|---|---|",
    ]
    misses: Dict[str, int] = defaultdict(int)
    for miss in test["misses"][final]:
        misses[miss["category"]] += 1
    for category, value in test["risk"][final]["per_category"].items():
        dev_value = dev["risk"][final]["per_category"].get(category, 0)
        out.append(f"| {category} | {dev_value:.0%} | {value:.0%} | {misses[category]} |")
    out += [
        "",
        f"False alarms per ordinary category ({final}, categories with any):",
        "",
        "| category | dev | test |",
        "|---|---|---|",
    ]
    categories = sorted(
        set(dev["ordinary"][final]["per_category"]) | set(test["ordinary"][final]["per_category"])
    )
    for category in categories:
        out.append(
            f"| {category} | {dev['ordinary'][final]['per_category'].get(category, 0):.0%} | "
            f"{test['ordinary'][final]['per_category'].get(category, 0):.0%} |"
        )
    out += ["", "| | dev | test |", "|---|---|---|"]
    for key, label in (
        ("risk_caught", "risk conversations caught (crisis on some turn)"),
        ("risk_caught_or_check_in", "... or a check-in on some turn"),
        ("ordinary_false_alarm", "ordinary conversations with a crisis reply"),
        ("ordinary_check_in", "ordinary conversations with a check-in"),
    ):
        count = "n_risk" if "risk" in key else "n_ordinary"
        out.append(
            f"| {label} | {dev['conversations'][key]:.0%} of {dev['conversations'][count]} | "
            f"{test['conversations'][key]:.0%} of {test['conversations'][count]} |"
        )
    out.append(
        f"| check-in share of all single messages | {dev['check_in_share_all_messages']:.1%} "
        f"| {test['check_in_share_all_messages']:.1%} |"
    )
    out += [
        "",
        "Latency per message, in-process (ms):",
        "",
        "| | dev p50 | dev p95 | test p50 | test p95 |",
        "|---|---|---|---|---|",
    ]
    for name in test["latency_ms"]:
        d, t = dev["latency_ms"][name], test["latency_ms"][name]
        out.append(f"| {name} | {d['p50']:.1f} | {d['p95']:.1f} | {t['p50']:.1f} | {t['p95']:.1f} |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=sorted(PARTS), default="dev")
    parser.add_argument(
        "--model", type=Path, help="a trained model (adds the classifier and the full pipeline)"
    )
    parser.add_argument("--tune", action="store_true", help="print the semantic threshold table (dev only)")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--misses", action="store_true", help="print misses and false alarms (dev only)")
    parser.add_argument(
        "--markdown",
        nargs=2,
        type=Path,
        metavar=("DEV_JSON", "TEST_JSON"),
        help="print the report tables from two --json files and stop",
    )
    args = parser.parse_args()
    if args.markdown:
        dev, test = (json.loads(path.read_text(encoding="utf-8")) for path in args.markdown)
        print(markdown(dev, test))
        return
    if (args.tune or args.misses) and args.part not in ("dev", "dev_split", "dev_extra"):
        parser.error("--tune and --misses are for the dev parts only: the test parts are frozen")
    results = evaluate(args.part, args.model)
    print("\n".join(report_lines(results)))
    if args.tune:
        print("\n".join(threshold_table(results)))
    if args.misses:
        final = results["detectors"][-1]
        for miss in results["misses"][final]:
            print(f"  MISS [{miss['category']}] ({miss['level']}) {miss['text']}")
        for alarm in results["false_alarms"][final]:
            print(f"  FALSE ALARM [{alarm['category']}] {alarm['text']}")
    if args.json:
        results.pop("_scores")
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
