"""Are two trainings of the same inputs the same model? (issue 10; docs/nlu.md)

Parses every user message the project evaluates on (test stories, held-out and evaluation
files) with two trained models and compares what matters: intent, FAQ topic, and their
confidences. Two models are reproducible when intents and topics are identical and every
confidence agrees to 1e-6.

    python -m evaluation.reproducibility models/a.tar.gz models/b.tar.gz
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import re
import sys
from pathlib import Path
from typing import Dict, Iterable, List

import yaml

from bot.settings import PROJECT_ROOT

TOLERANCE = 1e-6


def evaluation_texts(root: Path = PROJECT_ROOT) -> List[str]:
    """Every user text in the test stories and the evaluation files, deduplicated, in order."""
    texts: List[str] = []
    for path in sorted((root / "tests" / "stories").glob("*.yml")):
        texts += re.findall(r"^\s*user: \|?\s*(.+)$", path.read_text(encoding="utf-8"), flags=re.M)
    for folder in (root / "evaluation",):
        for path in sorted(folder.rglob("*.yml")) if folder.exists() else []:
            texts += list(_texts_in(yaml.safe_load(path.read_text(encoding="utf-8"))))
    return list(dict.fromkeys(t.strip().strip('"') for t in texts if t.strip()))


def _texts_in(node) -> Iterable[str]:
    """Texts in any of the project's YAML shapes: `examples: |` blocks, `text:` fields, lists."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "examples" and isinstance(value, str):
                yield from (line.strip()[2:] for line in value.splitlines() if line.strip().startswith("- "))
            elif key in ("text", "message") and isinstance(value, str):
                yield value
            else:
                yield from _texts_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from ([item] if isinstance(item, str) else _texts_in(item))


def _summary(parse: Dict) -> Dict:
    intent = parse.get("intent") or {}
    selector = (parse.get("response_selector") or {}).get("faq", {}).get("response", {})
    return {
        "intent": intent.get("name"),
        "intent_confidence": float(intent.get("confidence") or 0.0),
        "topic": selector.get("intent_response_key"),
        "topic_confidence": float(selector.get("confidence") or 0.0),
    }


async def _predict(model: Path, texts: List[str]) -> List[Dict]:
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # not a debug line per parsed message

    agent = Agent.load(str(model))
    return [_summary(await agent.parse_message(text)) for text in texts]


def compare(first: List[Dict], second: List[Dict]) -> Dict:
    """Counts of differing labels and the largest confidence difference."""
    labels = sum(
        a["intent"] != b["intent"] or a["topic"] != b["topic"] for a, b in zip(first, second, strict=True)
    )
    worst = max(
        (
            abs(a[k] - b[k])
            for a, b in zip(first, second, strict=True)
            for k in ("intent_confidence", "topic_confidence")
        ),
        default=0.0,
    )
    return {
        "messages": len(first),
        "label_differences": labels,
        "max_confidence_difference": worst,
        "reproducible": labels == 0 and worst <= TOLERANCE,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first", type=Path)
    parser.add_argument("second", type=Path)
    args = parser.parse_args()
    texts = evaluation_texts()
    first = asyncio.run(_predict(args.first, texts))
    second = asyncio.run(_predict(args.second, texts))
    result = compare(first, second)
    print(json.dumps(result, indent=2))
    sys.exit(0 if result["reproducible"] else 1)


if __name__ == "__main__":
    main()
