"""Turns a benchmark's records into numbers per setup, a markdown table and a plot.

Rounds are pooled: latencies from every round of a phase are ranked together, throughput
is all replies over all measured seconds, memory is the highest sample seen. The tables
are written between marker comments in docs/performance.md, so the prose around them
(what was found and why) is kept when the numbers are refreshed.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Dict, List

TARGETS = {  # issue #6, checked on the product's numbers in the same run
    "throughput_ratio": 3.0,  # saturation throughput >= 3x the reference
    "p95_at_20_ms": 50.0,
    "ready_seconds": 15.0,
    "rss_mb": 600.0,
}


def _pct(values: List[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def aggregate(records: List[Dict]) -> Dict[str, Dict]:
    """setup name -> {"start": {...}, "phases": {phase key: {...}}}."""
    starts, phases = defaultdict(list), defaultdict(lambda: defaultdict(list))
    for record in records:
        if record["kind"] == "start":
            starts[record["setup"]].append(record)
        else:
            phases[record["setup"]][record["summary"]["phase"]].append(record)
    out: Dict[str, Dict] = {}
    for setup in starts:
        runs = starts[setup]
        out[setup] = {
            "start": {
                "ready_seconds": statistics.median(r["ready_seconds"] for r in runs),
                "ready_seconds_all": [round(r["ready_seconds"], 1) for r in runs],
                "idle_rss_mb": max(r["idle_rss_mb"] for r in runs),
                "first_reply_ms": statistics.median(r["first_reply_ms"] for r in runs),
            },
            "phases": {},
        }
        for key, measured in phases[setup].items():
            latencies = [ms for m in measured for ms in m["latencies_ms"]]
            summaries = [m["summary"] for m in measured]
            out[setup]["phases"][key] = {
                "ok": sum(s["ok"] for s in summaries),
                "errors": sum(s["errors"] for s in summaries),
                "throughput": sum(s["ok"] for s in summaries) / sum(s["duration"] for s in summaries),
                "throughput_rounds": [round(s["throughput"], 1) for s in summaries],
                "p50_ms": _pct(latencies, 0.50),
                "p95_ms": _pct(latencies, 0.95),
                "p99_ms": _pct(latencies, 0.99),
                "cpu_ms_per_msg": statistics.mean(s["server_cpu_ms_per_msg"] for s in summaries),
                "rss_peak_mb": max(s["rss_peak_mb"] for s in summaries),
                "load1": [round(s["load_after"]["load1"], 2) for s in summaries],
            }
    return out


def _fmt(value: float, digits: int = 0) -> str:
    return "–" if value != value else f"{value:,.{digits}f}"  # NaN check without math


def peak_rss(setup: Dict) -> float:
    return max([setup["start"]["idle_rss_mb"]] + [p["rss_peak_mb"] for p in setup["phases"].values()])


def comparison_table(results: Dict) -> str:
    agg, prod, ref = results["aggregate"], "product", "reference"
    p, r = agg[prod], agg[ref]
    rows = []

    def row(label: str, pv: float, rv: float, digits: int = 0, target: str = "", better: str = "low") -> None:
        ratio = (rv / pv if better == "low" else pv / rv) if pv and rv else float("nan")
        rows.append(f"| {label} | {_fmt(pv, digits)} | {_fmt(rv, digits)} | {_fmt(ratio, 1)}× | {target} |")

    closed = next(k for k in p["phases"] if k.startswith("closed"))
    tp, tr = p["phases"][closed]["throughput"], r["phases"][closed]["throughput"]
    row(
        f"Saturation throughput, msg/s ({closed.split('@')[1]} senders)",
        tp,
        tr,
        1,
        _verdict(tp / tr >= TARGETS["throughput_ratio"], "≥ 3× reference"),
        better="high",
    )
    for key in sorted(k for k in p["phases"] if k.startswith("open")):
        rate = key.split("@")[1]
        for q in ("p50", "p95", "p99"):
            pv, rv = p["phases"][key][f"{q}_ms"], r["phases"][key][f"{q}_ms"]
            target = (
                _verdict(pv <= TARGETS["p95_at_20_ms"], "≤ 50 ms") if (q == "p95" and rate == "20") else ""
            )
            row(f"{q} latency at {rate} msg/s offered, ms", pv, rv, 0, target)
        pe, re_ = p["phases"][key]["errors"], r["phases"][key]["errors"]
        rows.append(
            f"| Errors at {rate} msg/s (of {p['phases'][key]['ok'] + pe} / "
            f"{r['phases'][key]['ok'] + re_} sent) | {pe} | {re_} | | |"
        )
    row(
        "Server CPU per message at saturation, ms",
        p["phases"][closed]["cpu_ms_per_msg"],
        r["phases"][closed]["cpu_ms_per_msg"],
        1,
    )
    row(
        "Resident memory, peak, MB (server process tree)",
        peak_rss(p),
        peak_rss(r),
        0,
        _verdict(peak_rss(p) <= TARGETS["rss_mb"], "≤ 600 MB"),
    )
    row(
        "Start-to-ready, s (median)",
        p["start"]["ready_seconds"],
        r["start"]["ready_seconds"],
        1,
        _verdict(p["start"]["ready_seconds"] <= TARGETS["ready_seconds"], "≤ 15 s"),
    )
    row("First reply after ready, ms", p["start"]["first_reply_ms"], r["start"]["first_reply_ms"], 0)
    row("Training time, s", results["training"][prod], results["training"][ref], 0)
    pa, ra = results["accuracy"][prod], results["accuracy"][ref]
    rows.append(
        f"| Held-out accuracy ({pa['heldout_total']} questions) | {pa['heldout_accuracy']:.1%} | "
        f"{ra['heldout_accuracy']:.1%} | | {_verdict(pa['heldout_accuracy'] >= ra['heldout_accuracy'], '≥ reference')} |"
    )
    rows.append(
        f"| Crisis recall (evaluation/crisis_legacy.yml) | {pa['crisis_recall']:.1%} | "
        f"{ra['crisis_recall']:.1%} | | |"
    )
    header = (
        "| Measure | Product | Reference (stock Rasa) | Product advantage | Target |\n"
        "|---|---:|---:|---:|---|"
    )
    return "\n".join([header, *rows, "", machine_note(results)])


def _verdict(ok: bool, target: str) -> str:
    return f"{target}: {'met' if ok else '**not met**'}"


def machine_note(results: Dict) -> str:
    loads = [load for v in results["aggregate"].values() for p in v["phases"].values() for load in p["load1"]]
    return (
        f"Run {results['started']}, {results['rounds']} rounds, phases of {results['phase_seconds']:g} s, "
        f"{results['cpus']} cores; 1-minute load average after each phase "
        f"{min(loads):.2f}–{max(loads):.2f} (the machine is shared). Raw data: `{results['json']}`."
    )


def options_table(results: Dict, models: Dict[str, str]) -> str:
    """``models``: setup name -> the model it serves (for its held-out accuracy)."""
    lines = [
        "| Set-up | Start-to-ready, s | First reply, ms | Idle RSS, MB | Peak RSS, MB | "
        "Saturation, msg/s | CPU ms/msg | p95 at 20 msg/s, ms | Errors | Held-out accuracy |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, v in results["aggregate"].items():
        accuracy = results["accuracy"].get(models[name], {}).get("heldout_accuracy", float("nan"))
        phases = v["phases"]
        closed = next((p for k, p in phases.items() if k.startswith("closed")), {})
        open20 = phases.get("open@20", {})
        errors = sum(p["errors"] for p in phases.values())
        lines.append(
            f"| {name} | {_fmt(v['start']['ready_seconds'], 1)} | {_fmt(v['start']['first_reply_ms'])} | "
            f"{_fmt(v['start']['idle_rss_mb'])} | {_fmt(peak_rss(v))} | {_fmt(closed.get('throughput', float('nan')), 1)} | "
            f"{_fmt(closed.get('cpu_ms_per_msg', float('nan')), 1)} | {_fmt(open20.get('p95_ms', float('nan')))} | {errors} | "
            f"{_fmt(100 * accuracy, 1)}% |"
        )
    return "\n".join([*lines, "", machine_note(results)])


def plot(results: Dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    agg = results["aggregate"]
    names = ["product", "reference"]
    colours = ["#2a7f62", "#9a9a9a"]
    closed = next(k for k in agg["product"]["phases"] if k.startswith("closed"))
    panels = [  # (title, values, target line or None)
        ("Saturation throughput, msg/s", [agg[n]["phases"][closed]["throughput"] for n in names], None),
        ("CPU per message, ms", [agg[n]["phases"][closed]["cpu_ms_per_msg"] for n in names], None),
        (
            "p95 latency at 20 msg/s, ms",
            [agg[n]["phases"]["open@20"]["p95_ms"] for n in names],
            TARGETS["p95_at_20_ms"],
        ),
        ("Peak resident memory, MB", [peak_rss(agg[n]) for n in names], TARGETS["rss_mb"]),
        ("Start-to-ready, s", [agg[n]["start"]["ready_seconds"] for n in names], TARGETS["ready_seconds"]),
    ]
    fig, axes = plt.subplots(1, len(panels), figsize=(15, 3.4))
    for axis, (title, values, target) in zip(axes, panels, strict=True):
        axis.bar(names, values, color=colours)
        axis.set_title(title, fontsize=10)
        if target:
            axis.axhline(target, color="#c0392b", linestyle="--", linewidth=1)
            axis.annotate("target", (1.45, target), color="#c0392b", fontsize=8, ha="right", va="bottom")
        for x, value in enumerate(values):
            axis.annotate(
                f"{value:,.0f}" if value >= 10 else f"{value:.1f}",
                (x, value),
                ha="center",
                va="bottom",
                fontsize=9,
            )
    loads = [load for v in agg.values() for p in v["phases"].values() for load in p["load1"]]
    fig.suptitle(
        f"Product vs stock Rasa 3.6, same 2-core machine, same run ({results['started']}; "
        f"load average {min(loads):.1f}–{max(loads):.1f})",
        fontsize=11,
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_section(doc: Path, name: str, body: str) -> None:
    """Replaces the text between ``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->``."""
    begin, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    text = doc.read_text(encoding="utf-8") if doc.exists() else ""
    block = f"{begin}\n{body}\n{end}"
    if begin in text and end in text:
        text = re.sub(re.escape(begin) + r".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + f"\n\n{block}\n"
    doc.write_text(text, encoding="utf-8")
