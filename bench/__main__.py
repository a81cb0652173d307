"""``make bench``: the product against stock Rasa, side by side, on this machine.

    python -m bench                 # product vs reference -> docs/performance.md, docs/performance.png
    python -m bench --options       # the product's options (store, workers, entry point...)
    python -m bench --rounds 1 --seconds 10   # a quick look

Raw results go to results/bench/ (not committed); the tables to docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time

from bench import report
from bench.pipelines import PIPELINES, write_configs
from bench.runner import DEFAULT_PHASES, Bench, Phase, evaluate_accuracy, new_work_dir
from bench.setups import OPTIONS, PRODUCT, REFERENCE, ROOT
from bench.training import train_all
from evaluation.model_eval import load_heldout

MODELS_DIR = ROOT / "var" / "bench" / "models"
RESULTS_DIR = ROOT / "results" / "bench"
DOC = ROOT / "docs" / "performance.md"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--options", action="store_true", help="measure the product's options instead")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each load phase")
    parser.add_argument("--retrain", action="store_true", help="train even if the inputs did not change")
    parser.add_argument("--no-doc", action="store_true", help="do not touch docs/")
    parser.add_argument("--report-only", action="store_true", help="redraw docs/ from the last results")
    args = parser.parse_args()
    if args.report_only:
        return write_docs(json.loads((RESULTS_DIR / "comparison.json").read_text()))

    setups = OPTIONS if args.options else [PRODUCT, REFERENCE]
    specs = [("product", ROOT / "config.yml"), ("reference", ROOT / "bench" / "reference_config.yml")]
    specs += write_configs(list(PIPELINES)) if args.options else []
    used = {v.model for v in setups}
    models = train_all([spec for spec in specs if spec[0] in used], MODELS_DIR, force=args.retrain)
    for model in models:
        note = "" if model.retrained else " (measured earlier, inputs unchanged)"
        print(f"trained {model.name}: {model.train_seconds:.0f} s{note}")

    work_dir = new_work_dir()
    phases = [Phase(p.mode, p.level, args.seconds) for p in DEFAULT_PHASES]
    texts = [text for text, _ in load_heldout()]
    started = time.strftime("%Y-%m-%d %H:%M")
    bench = Bench({m.name: m.path for m in models}, work_dir, texts)
    records = asyncio.run(bench.run(setups, phases, args.rounds))

    name = "options" if args.options else "comparison"
    results = {
        "started": started,
        "rounds": args.rounds,
        "phase_seconds": args.seconds,
        "cpus": os.cpu_count(),
        "training": {m.name: m.train_seconds for m in models},
        "aggregate": report.aggregate(records),
        "json": f"results/bench/{name}.json",
    }
    results["accuracy"] = {
        m.name: evaluate_accuracy(m.path, work_dir / f"{m.name}-eval.json") for m in models if m.name in used
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / f"{name}.json").write_text(json.dumps({**results, "records": records}, indent=1))

    if args.options:
        table = report.options_table(results, {v.name: v.model for v in setups})
    else:
        table = report.comparison_table(results)
    print("\n" + table)
    if not args.no_doc:
        report.write_section(DOC, name, table)
        if not args.options:
            write_docs(results)
        print(f"\nupdated {DOC.relative_to(ROOT)}")


def write_docs(results: dict) -> None:
    report.write_section(DOC, "comparison", report.comparison_table(results))
    report.plot(results, ROOT / "docs" / "performance.png")


if __name__ == "__main__":
    main()
