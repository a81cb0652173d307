"""The FAQ topics (titles, canonical questions, sources), read from ``topics.yml`` beside this file."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Tuple

import yaml

TOPICS_FILE = Path(__file__).with_name("topics.yml")


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    question: str
    sources: Tuple[str, ...] = ()  # ids of the source documents the answer rests on
    handoff: bool = False  # the sources are silent on some of it: the answer offers the line

    def as_button(self) -> Dict[str, str]:
        return {"title": self.title, "payload": self.question}


@lru_cache(maxsize=1)
def _raw() -> Dict[str, Any]:
    return yaml.safe_load(TOPICS_FILE.read_text(encoding="utf-8"))


def all_topics() -> Dict[str, Topic]:
    """Topic id -> Topic, in the order of the topic contract."""
    return {
        topic_id: Topic(
            topic_id,
            fields["title"],
            fields["question"],
            tuple(fields["sources"]),
            fields.get("handoff", False),
        )
        for topic_id, fields in _raw()["topics"].items()
    }


def suggestion_prompt() -> str:
    return _raw()["suggestions"]["prompt"]


def something_else_button() -> Dict[str, str]:
    return dict(_raw()["suggestions"]["something_else"])
