"""The one test for "sure of the topic": the selector's top topic sure enough and far enough ahead.

The NLU gate (bot/nlu/faq_gate.py) applies it inside the Rasa server and the follow-up
action (actions/answer_followup.py) in the action server, with the same thresholds: those
config.yml sets on the FaqConfidenceGate, read from there so no copy can drift. Plain
Python, no Rasa import, so the action server stays light.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import List, Tuple

import yaml

from bot.settings import PROJECT_ROOT

DEFAULT_THRESHOLD = 0.7
DEFAULT_MARGIN = 0.2
GATE_NAME = "FaqConfidenceGate"


def is_sure(ranking: List[Tuple[str, float]], threshold: float, margin: float) -> bool:
    if not ranking:
        return False
    top = ranking[0][1]
    second = ranking[1][1] if len(ranking) > 1 else 0.0
    return top >= threshold and top - second >= margin


@lru_cache(maxsize=4)
def configured_gate(config_file: Path = PROJECT_ROOT / "config.yml") -> Tuple[float, float]:
    """(threshold, margin) of the gate in this config file, read once."""
    pipeline = yaml.safe_load(config_file.read_text(encoding="utf-8")).get("pipeline") or []
    for component in pipeline:
        if str(component.get("name", "")).endswith(GATE_NAME):
            return float(component.get("threshold", DEFAULT_THRESHOLD)), float(
                component.get("margin", DEFAULT_MARGIN)
            )
    return DEFAULT_THRESHOLD, DEFAULT_MARGIN
