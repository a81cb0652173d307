"""Reading the project's own files in tests: the topic contract, responses, training data."""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Set, Tuple

import yaml

from bot.content.topics import TOPICS_FILE, all_topics

ROOT = Path(__file__).resolve().parents[2]
# The topic contract lives in the repository (bot/content/topics.yml). The shared folder beside
# the project (../shared; SHARED_DIR points elsewhere, e.g. from a git worktree) holds its
# upstream copy and the source texts (SOURCES_DIR overrides where those are read from). Neither
# needs to be there: tests that compare with them skip (tests/conftest.py says so once).
SHARED = Path(os.environ.get("SHARED_DIR") or ROOT.parent / "shared")
TOPICS_MD = SHARED / "docs" / "topics.md"
SOURCES_DIR = Path(os.environ.get("SOURCES_DIR") or SHARED / "seeds")


@lru_cache(maxsize=1)
def _contract() -> dict:
    return yaml.safe_load(TOPICS_FILE.read_text(encoding="utf-8"))


def contract_topic_ids() -> List[str]:
    """FAQ topic ids, in the contract's order."""
    return list(all_topics())


def handoff_topics() -> Set[str]:
    """Topics on which the sources are silent, in whole or in part."""
    return {topic.id for topic in all_topics().values() if topic.handoff}


def source_catalogue() -> Dict[str, dict]:
    """Source id ("000") -> its title, file name and description."""
    return _contract()["sources"]


def sources_present() -> bool:
    return SOURCES_DIR.is_dir()


@lru_cache(maxsize=1)
def source_texts() -> Dict[str, str]:
    """Source id -> text of each catalogued source found in SOURCES_DIR. Tests take the
    ``sources`` fixture, which skips when the folder is absent; tests/content/test_contract.py
    fails when the folder is there but does not hold exactly the catalogued files."""
    files = {source_id: SOURCES_DIR / entry["file"] for source_id, entry in source_catalogue().items()}
    return {
        source_id: path.read_text(encoding="utf-8") for source_id, path in files.items() if path.is_file()
    }


def upstream_contract() -> Dict[str, Tuple[Set[str], bool]]:
    """From ../shared/docs/topics.md: topic id -> (source ids, handoff), in its order."""
    rows = re.findall(
        r"^\| `([a-z_]+)` \|.*\| ([^|]+) \|$", TOPICS_MD.read_text(encoding="utf-8"), flags=re.M
    )
    return {topic_id: (set(re.findall(r"\d{3}", cell)), "handoff" in cell) for topic_id, cell in rows}


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
