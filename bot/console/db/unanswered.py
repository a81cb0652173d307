"""Questions the bot could not answer (fallbacks and low-confidence guesses), grouped.

Messages are grouped by their normalised text, most frequent first. Staff assign a group
to a topic; the assignments export as Rasa NLU training data, ready to review and merge
into ``data/nlu/``.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Dict, List, Optional
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import yaml
from sqlalchemy.engine import Connection

from bot.console.db import schema
from bot.console.db.conversations import date_conditions
from bot.console.filters import Filters

u, a = schema.unanswered, schema.assignments
STATUSES = ("unassigned", "assigned", "all")
_PLACEHOLDER_RE = re.compile(r"\[(email|phone|postcode|NHS number)\]")


@dataclass
class Group:
    normalized: str
    count: int
    example: str
    last_at: float
    fallbacks: int
    best_guess: Optional[str]
    lowest_confidence: Optional[float]
    topic: Optional[str]


def groups(conn: Connection, filters: Filters, zone: ZoneInfo, status: str = "unassigned",
           limit: int = 50, offset: int = 0) -> List[Group]:
    where = date_conditions(filters, zone, u.c.at)
    if filters.channel:
        where.append(u.c.channel == filters.channel)
    if status == "unassigned":
        where.append(a.c.topic.is_(None))
    elif status == "assigned":
        where.append(a.c.topic.isnot(None))
    count = sa.func.count().label("n")
    query = (
        sa.select(u.c.normalized, count, sa.func.min(u.c.text), sa.func.max(u.c.at),
                  sa.func.sum(sa.case((u.c.fallback, 1), else_=0)), sa.func.min(u.c.intent),
                  sa.func.min(u.c.confidence), sa.func.min(a.c.topic))
        .select_from(u.outerjoin(a, a.c.normalized == u.c.normalized))
        .where(*where).group_by(u.c.normalized)
        .order_by(count.desc(), sa.func.max(u.c.at).desc()).limit(limit).offset(offset)
    )
    return [Group(row[0], int(row[1]), row[2], row[3], int(row[4] or 0), row[5], row[6], row[7])
            for row in conn.execute(query)]


def assign(conn: Connection, normalized: str, topic: Optional[str], username: str) -> None:
    """Files every message in the group under ``topic`` (None clears the assignment)."""
    conn.execute(a.delete().where(a.c.normalized == normalized))
    if topic:
        conn.execute(a.insert().values(normalized=normalized, topic=topic, assigned_by=username,
                                       assigned_at=time.time()))


def training_examples(conn: Connection) -> Dict[str, List[str]]:
    """Topic -> distinct example texts, from every assigned group."""
    query = (sa.select(a.c.topic, u.c.text).select_from(a.join(u, u.c.normalized == a.c.normalized))
             .order_by(a.c.topic, u.c.text))
    examples: Dict[str, Dict[str, None]] = {}
    for topic, text in conn.execute(query):
        example = _example(text)
        if example:
            examples.setdefault(topic, {})[example] = None
    return {topic: list(texts) for topic, texts in examples.items()}


def _example(text: str) -> str:
    """One line of training data, or "" for text that would teach the model the wrong thing."""
    if _PLACEHOLDER_RE.search(text) or text.startswith("/"):
        return ""  # redacted personal data, or a button payload
    # Rasa reads [text](entity) and {"entity": ...} as annotations: drop those brackets.
    return " ".join(re.sub(r"[\[\]{}]", " ", text).split())


def nlu_yaml(examples: Dict[str, List[str]]) -> str:
    """Rasa 3.x NLU training data, one block per topic."""
    lines = ["# Questions staff filed under a topic in the console's Unanswered screen.",
             "# Review before merging into data/nlu/ and retraining.",
             'version: "3.1"', "nlu:"]
    for topic in sorted(examples):
        lines.append(f"- intent: {topic}")
        lines.append("  examples: |")
        lines.extend(f"    - {text}" for text in examples[topic])
    if not examples:
        lines[-1] = "nlu: []"
    text = "\n".join(lines) + "\n"
    yaml.safe_load(text)  # fail here, not in `rasa train`, if a text broke the YAML
    return text
