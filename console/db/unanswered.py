"""The improvement queue: questions the bot could not answer, grouped by meaning, and filing.

An unanswered question is a fallback, a low-confidence guess, or a question whose answer a
visitor voted not helpful (``console_unanswered``, derived from events). Distinct wordings
are grouped by meaning with the shared sentence encoder (``bot/nlu/encoder.py``): a wording
joins the group of the most-asked wording whose vector is within ``SIMILARITY`` cosine of
it. Staff file a group, or several at once, under the topic it should have reached; a wrong
answer corrected from a transcript is filed the same way (``reason = "wrong_answer"``).
Filings are per message (``console_filings``) and export as Rasa NLU training data, ready to
review and merge into ``data/nlu/``.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Dict, Iterable, List, Optional, Sequence
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import yaml
from sqlalchemy.engine import Connection

from console.db import schema
from console.db.conversations import date_conditions
from console.filters import Filters

if TYPE_CHECKING:  # numpy is imported where vectors are made: listing pages does not need it
    import numpy as np

logger = logging.getLogger(__name__)
u, f = schema.unanswered, schema.filings
STATUSES = ("unassigned", "assigned", "all")
REASONS = ("unanswered", "wrong_answer")
# Cosine similarity at or above which two wordings count as the same question. all-MiniLM
# puts paraphrases of one question ("do you take bupa insurance" / "can I use my bupa
# health insurance": 0.88) above it and different questions on one subject ("is there
# parking" / "where can I park": 0.56) below: a wrong merge would file a question under
# the wrong topic, a missed one only costs a second click.
SIMILARITY = 0.8
# Wordings grouped at most per page view (the most asked; ~4 ms each to encode the first
# time, then cached); the rest stay one per group.
MAX_GROUPED = 500
_PLACEHOLDER_RE = re.compile(
    r"\[(email|phone|postcode|NHS number|name|address|date of birth|NI number)\]", re.I
)
_vectors: Dict[str, np.ndarray] = {}  # normalised wording -> its vector (bounded, see _encode)


@dataclass
class Wording:
    """One normalised wording and the messages that used it."""

    normalized: str
    count: int
    example: str
    last_at: float
    fallbacks: int
    best_guess: Optional[str]
    lowest_confidence: Optional[float]
    topic: Optional[str]
    unhelpful: int = 0  # times a visitor voted the answer to it not helpful


@dataclass
class Group:
    """Wordings with one meaning, the most asked first."""

    wordings: List[Wording] = field(default_factory=list)

    @property
    def lead(self) -> Wording:
        return self.wordings[0]

    @property
    def count(self) -> int:
        return sum(w.count for w in self.wordings)

    @property
    def fallbacks(self) -> int:
        return sum(w.fallbacks for w in self.wordings)

    @property
    def unhelpful(self) -> int:
        return sum(w.unhelpful for w in self.wordings)

    @property
    def last_at(self) -> float:
        return max(w.last_at for w in self.wordings)

    @property
    def example(self) -> str:
        return self.lead.example

    @property
    def normalized(self) -> str:
        return self.lead.normalized

    @property
    def topic(self) -> Optional[str]:
        return self.lead.topic

    @property
    def best_guess(self) -> Optional[str]:
        return self.lead.best_guess

    @property
    def lowest_confidence(self) -> Optional[float]:
        scores = [w.lowest_confidence for w in self.wordings if w.lowest_confidence is not None]
        return min(scores) if scores else None

    @property
    def others(self) -> List[Wording]:
        return self.wordings[1:]


def wordings(conn: Connection, filters: Filters, zone: ZoneInfo, status: str = "unassigned") -> List[Wording]:
    """Distinct wordings of unanswered questions, most asked first (split by filed topic)."""
    where = date_conditions(filters, zone, u.c.at)
    if filters.channel:
        where.append(u.c.channel == filters.channel)
    if status == "unassigned":
        where.append(f.c.topic.is_(None))
    elif status == "assigned":
        where.append(f.c.topic.isnot(None))
    count = sa.func.count().label("n")
    query = (
        sa.select(
            u.c.normalized,
            count,
            sa.func.min(u.c.text),
            sa.func.max(u.c.at),
            sa.func.sum(sa.case((u.c.fallback, 1), else_=0)),
            sa.func.min(u.c.intent),
            sa.func.min(u.c.confidence),
            f.c.topic,
            sa.func.sum(sa.case((u.c.rated_unhelpful, 1), else_=0)),
        )
        .select_from(u.outerjoin(f, f.c.event_id == u.c.event_id))
        .where(*where)
        .group_by(u.c.normalized, f.c.topic)
        .order_by(count.desc(), sa.func.max(u.c.at).desc(), u.c.normalized)
    )
    return [
        Wording(
            row[0], int(row[1]), row[2], row[3], int(row[4] or 0), row[5], row[6], row[7], int(row[8] or 0)
        )
        for row in conn.execute(query)
    ]


def _encode(texts: Sequence[str]):
    """Vectors for ``texts`` from the shared encoder, remembering them between page views."""
    import numpy as np

    from bot.nlu.encoder import shared_encoder

    missing = [text for text in dict.fromkeys(texts) if text not in _vectors]
    if missing:
        if len(_vectors) + len(missing) > 50_000:
            _vectors.clear()
        for text, vector in zip(missing, shared_encoder().encode(missing), strict=True):
            _vectors[text] = vector
    return np.stack([_vectors[text] for text in texts])


def group_by_meaning(found: List[Wording], similarity: float = SIMILARITY) -> List[Group]:
    """Greedy grouping, most asked first: each wording joins the first group whose lead it is
    similar to (never across different filed topics), or leads a new group."""
    if not found:
        return []
    head, tail = found[:MAX_GROUPED], found[MAX_GROUPED:]
    try:
        vectors = _encode([w.normalized or w.example.lower() for w in head])
    except Exception as error:  # no encoder installed: group by identical wording only
        logger.warning("Unanswered questions grouped by wording only: %s", error)
        return [Group([w]) for w in found]
    groups: List[Group] = []
    leads: List[int] = []
    for index, wording in enumerate(head):
        best, best_score = None, similarity
        for number, lead in enumerate(leads):
            if head[lead].topic != wording.topic:
                continue
            score = float(vectors[index] @ vectors[lead])
            if score >= best_score:
                best, best_score = number, score
        if best is None:
            leads.append(index)
            groups.append(Group([wording]))
        else:
            groups[best].wordings.append(wording)
    groups.sort(key=lambda g: (-g.count, -g.last_at))
    return groups + [Group([w]) for w in tail]


def groups(
    conn: Connection,
    filters: Filters,
    zone: ZoneInfo,
    status: str = "unassigned",
    limit: int = 50,
    offset: int = 0,
    similarity: float = SIMILARITY,
) -> List[Group]:
    return group_by_meaning(wordings(conn, filters, zone, status), similarity)[offset : offset + limit]


def file_wordings(conn: Connection, normalized: Iterable[str], topic: Optional[str], username: str) -> int:
    """Files every unanswered message with one of these wordings under ``topic`` (None: unfiles
    them); returns how many messages that was."""
    texts = sorted({text[:255] for text in normalized if text})
    if not texts:
        return 0
    rows = conn.execute(
        sa.select(u.c.event_id, u.c.sender_id, u.c.text, u.c.intent).where(u.c.normalized.in_(texts))
    ).all()
    ids = [row.event_id for row in rows]
    for start in range(0, len(ids), 500):
        conn.execute(f.delete().where(f.c.event_id.in_(ids[start : start + 500])))
    if topic:
        now = time.time()
        conn.execute(
            f.insert(),
            [
                dict(
                    event_id=row.event_id,
                    sender_id=row.sender_id,
                    text=row.text,
                    topic=topic,
                    bot_topic=row.intent,
                    reason="unanswered",
                    filed_by=username,
                    filed_at=now,
                )
                for row in rows
            ],
        )
    return len(rows)


def file_message(
    conn: Connection,
    event_id: int,
    sender_id: str,
    text: str,
    topic: Optional[str],
    bot_topic: Optional[str],
    username: str,
    reason: str = "wrong_answer",
) -> None:
    """Files one visitor message (a wrong answer corrected from its transcript)."""
    conn.execute(f.delete().where(f.c.event_id == event_id, f.c.sender_id == sender_id))
    if topic:
        conn.execute(
            f.insert().values(
                event_id=event_id,
                sender_id=sender_id,
                text=text,
                topic=topic,
                bot_topic=bot_topic,
                reason=reason,
                filed_by=username,
                filed_at=time.time(),
            )
        )


def filings_for(conn: Connection, sender_id: str) -> Dict[int, Dict[str, object]]:
    rows = conn.execute(sa.select(f).where(f.c.sender_id == sender_id))
    return {row.event_id: dict(row._mapping) for row in rows}


def corrections(conn: Connection, limit: int = 200) -> List[Dict[str, object]]:
    """Wrong answers corrected from transcripts, newest first."""
    query = sa.select(f).where(f.c.reason == "wrong_answer").order_by(f.c.filed_at.desc()).limit(limit)
    return [dict(row._mapping) for row in conn.execute(query)]


def training_examples(conn: Connection) -> Dict[str, List[str]]:
    """Topic -> distinct example texts, from every filed message."""
    examples: Dict[str, Dict[str, None]] = {}
    for topic, text in conn.execute(sa.select(f.c.topic, f.c.text).order_by(f.c.topic, f.c.text)):
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
    lines = [
        "# Questions staff filed under a topic in the console (Unanswered, and wrong answers",
        "# corrected from transcripts). Review before merging into data/nlu/ and retraining.",
        'version: "3.1"',
        "nlu:",
    ]
    for topic in sorted(examples):
        lines.append(f"- intent: {topic}")
        lines.append("  examples: |")
        lines.extend(f"    - {text}" for text in examples[topic])
    if not examples:
        lines[-1] = "nlu: []"
    text = "\n".join(lines) + "\n"
    yaml.safe_load(text)  # fail here, not in `rasa train`, if a text broke the YAML
    return text
