"""Where start time and memory go: imports, then each component of the model as it loads.

    python -m bench.startup [MODEL ...]        # default: the benchmark's product model

Each model is loaded in fresh child processes (a warm one would hide import costs), as
``rasa run`` imports and with bot/serve.py's import trimming, alternately, twice each; the
table shows each step's quickest time. Prints one markdown table per model.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parent.parent


def measure(model: str, trim: bool) -> List[Dict]:
    """Runs in the child: (step, seconds, RSS MB after it) for imports and each graph node."""
    import psutil

    me, rows, clock = psutil.Process(), [], time.monotonic()

    def step(name: str) -> None:
        nonlocal clock
        rows.append(
            {"step": name, "seconds": time.monotonic() - clock, "rss_mb": me.memory_info().rss / 2**20}
        )
        clock = time.monotonic()

    if trim:
        from bot.serve import trim_imports

        trim_imports()
        step("skops + jax trimming")
    import rasa.core.agent  # noqa: F401 (TensorFlow comes with it)

    step("import rasa (TensorFlow)")
    import tempfile

    from rasa.engine.graph import ExecutionContext, GraphNode
    from rasa.engine.storage.local_model_storage import LocalModelStorage

    storage, metadata = LocalModelStorage.from_model_archive(Path(tempfile.mkdtemp()), Path(model))
    step("unpack model")
    context = ExecutionContext(metadata.predict_schema, metadata.model_id)
    for name, node in metadata.predict_schema.nodes.items():
        GraphNode.from_schema_node(name, node, storage, context, None)
        step(name)
    return rows


def run_child(model: str, trim: bool) -> List[Dict]:
    code = f"import json,bench.startup as s; print('@@'+json.dumps(s.measure({model!r}, {trim})))"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3", "TRACKER_DB_URL": "sqlite://"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.split("@@", 1)[1])


def fastest(runs: List[List[Dict]]) -> List[Dict]:
    """Per step, the quickest of the runs: on a shared machine the minimum is the least noisy."""
    return [
        {
            "step": rows[0]["step"],
            "seconds": min(r["seconds"] for r in rows),
            "rss_mb": max(r["rss_mb"] for r in rows),
        }
        for rows in zip(*runs, strict=True)
    ]


def table(model: str, repeats: int = 2) -> str:
    runs = {False: [], True: []}
    for _ in range(repeats):  # interleaved, so a burst of load elsewhere hits both alike
        for trim in (False, True):
            runs[trim].append(run_child(model, trim))
    plain, trimmed = fastest(runs[False]), fastest(runs[True])
    lines = [
        f"Model `{Path(model).name}`, load average {os.getloadavg()[0]:.2f}:",
        "",
        "| Step | `rasa run` order: s | RSS after, MB | trimmed: s | RSS after, MB |",
        "|---|---:|---:|---:|---:|",
    ]
    trimmed_by_step = {r["step"]: r for r in trimmed}
    if "skops + jax trimming" in trimmed_by_step:
        r = trimmed_by_step["skops + jax trimming"]
        lines.append(f"| skops + jax trimming | – | – | {r['seconds']:.1f} | {r['rss_mb']:.0f} |")
    for row in plain:
        t = trimmed_by_step.get(row["step"], {"seconds": float("nan"), "rss_mb": float("nan")})
        if row["seconds"] >= 0.05 or t["seconds"] >= 0.05:
            lines.append(
                f"| {row['step']} | {row['seconds']:.1f} | {row['rss_mb']:.0f} | "
                f"{t['seconds']:.1f} | {t['rss_mb']:.0f} |"
            )
    total = lambda rows: sum(r["seconds"] for r in rows)  # noqa: E731
    lines.append(
        f"| **total** | **{total(plain):.1f}** | **{plain[-1]['rss_mb']:.0f}** | "
        f"**{total(trimmed):.1f}** | **{trimmed[-1]['rss_mb']:.0f}** |"
    )
    return "\n".join(lines)


def main() -> None:
    models = sys.argv[1:] or [str(ROOT / "var" / "bench" / "models" / "product.tar.gz")]
    for model in models:
        print(table(model) + "\n")


if __name__ == "__main__":
    main()
