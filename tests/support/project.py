"""Reading the project's own files in tests: the topic contract, responses, training data."""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Dict, List

import yaml

ROOT = Path(__file__).resolve().parents[2]
# The shared folder sits beside the project (../shared); SHARED_DIR points elsewhere, e.g. from
# a git worktree. SOURCES_DIR overrides where the seed texts are read from.
SHARED = Path(os.environ.get("SHARED_DIR") or ROOT.parent / "shared")
TOPICS_MD = SHARED / "docs" / "topics.md"
SEEDS = Path(os.environ.get("SOURCES_DIR") or SHARED / "seeds")


@lru_cache(maxsize=1)
def contract_topic_ids() -> List[str]:
    """FAQ topic ids from the contract table in shared/docs/topics.md."""
    ids = re.findall(r"^\| `([a-z_]+)` \|", TOPICS_MD.read_text(encoding="utf-8"), flags=re.M)
    assert ids, f"no topic table found in {TOPICS_MD}"
    return ids


@lru_cache(maxsize=1)
def contract_sources() -> Dict[str, str]:
    """Topic id -> the contract's "sources" cell, e.g. "000, 002" or "none (handoff)"."""
    rows = re.findall(r"^\| `([a-z_]+)` \|.*\| ([^|]+) \|$", TOPICS_MD.read_text(encoding="utf-8"), flags=re.M)
    return {topic_id: cell.strip() for topic_id, cell in rows}


def seed_texts() -> Dict[str, str]:
    """Seed prefix ("000") -> text."""
    return {path.name[:3]: path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))}


@lru_cache(maxsize=1)
def faq_responses() -> Dict[str, list]:
    return yaml.safe_load((ROOT / "data" / "responses" / "faq.yml").read_text(encoding="utf-8"))["responses"]


@lru_cache(maxsize=1)
def domain() -> dict:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


def training_examples() -> Dict[str, List[str]]:
    """Intent (faq/<id> for FAQ topics) -> training examples, from every file under data/."""
    examples: Dict[str, List[str]] = {}
    for path in sorted((ROOT / "data").rglob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            if "intent" in block:
                examples.setdefault(block["intent"], []).extend(_lines(block["examples"]))
    return examples


def _lines(examples: str) -> List[str]:
    return [line.strip()[2:].strip() for line in examples.splitlines() if line.strip().startswith("- ")]


def heldout_examples() -> Dict[str, List[str]]:
    examples: Dict[str, List[str]] = {}
    for block in yaml.safe_load((ROOT / "evaluation" / "heldout.yml").read_text(encoding="utf-8"))["nlu"]:
        examples.setdefault(block["intent"], []).extend(_lines(block["examples"]))
    return examples
