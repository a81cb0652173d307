"""How a stored Rasa event reads to a person: pure functions over the ``events`` table's rows.

The tracker store keeps each event as JSON (``data``). Staff care about a few things in it:
what the user wrote, which topic the bot picked and how sure it was, which reply it sent,
whether the crisis safety net fired, whether the message went unanswered, and whether the
referral line was offered. Everything here is computed from the JSON alone, so the summary
table (``db/summary.py``) and the transcript screen agree by construction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from bot.content.topics import all_topics

FALLBACK_INTENT = "nlu_fallback"
CRISIS_INTENT = "crisis"
# Social niceties: not topics anyone asks about.
SMALL_TALK = frozenset({"greet", "goodbye", "thank", "affirm", "deny"})
# Replies that give the practice's referral line (domain.yml, data/responses/faq.yml).
REFERRAL_REPLIES = frozenset({"utter_handoff", "utter_faq/referral", "utter_still_not_sure", "utter_crisis"})
SEARCH_TEXT_LIMIT = 8000

_INTENT_LABELS = {
    CRISIS_INTENT: "Crisis",
    "request_human": "Asked for a person",
    "help": "Asked for help",
    "out_of_scope": "Out of scope",
    "bot_challenge": "Asked if it is a bot",
    FALLBACK_INTENT: "Not understood",
}


def topic_label(topic: Optional[str]) -> str:
    """``"faq/cost"`` -> ``"Cost"``; other intents get a readable name."""
    if not topic:
        return ""
    if topic.startswith("faq/"):
        found = all_topics().get(topic[4:])
        return found.title if found else topic
    return _INTENT_LABELS.get(topic, topic.replace("_", " ").capitalize())


def topic_choices() -> List[Tuple[str, str]]:
    """Every topic a message can be filed under, as (id, label): FAQ topics, then intents."""
    faq = [(f"faq/{topic_id}", topic.title) for topic_id, topic in all_topics().items()]
    others = [(intent, label) for intent, label in _INTENT_LABELS.items() if intent != FALLBACK_INTENT]
    return faq + others


@dataclass
class Message:
    """One line of a transcript: something the user said, the bot said, or happened."""

    event_id: int
    at: float
    speaker: str  # "user", "bot" or "event" (session start, crisis flag)
    text: str = ""
    topic: Optional[str] = None  # the intent picked, "faq/<id>" for FAQ answers
    confidence: Optional[float] = None  # the intent classifier's
    answer_confidence: Optional[float] = None  # the FAQ response selector's
    reply: Optional[str] = None  # the bot's response name, e.g. "utter_faq/cost"
    channel: Optional[str] = None
    crisis: bool = False
    fallback: bool = False
    low_confidence: bool = False
    is_button: bool = False

    @property
    def unanswered(self) -> bool:
        return self.fallback or self.low_confidence

    @property
    def lowest_confidence(self) -> Optional[float]:
        scores = [score for score in (self.confidence, self.answer_confidence) if score is not None]
        return min(scores) if scores else None


def _user_message(event_id: int, data: Dict[str, Any], low_confidence: float) -> Message:
    parse = data.get("parse_data") or {}
    intent = parse.get("intent") or {}
    name = intent.get("name")
    text = data.get("text") or ""
    message = Message(event_id, data.get("timestamp") or 0.0, "user", text, topic=name,
                      confidence=intent.get("confidence"), channel=data.get("input_channel"))
    message.is_button = text.startswith("/")
    if name == "faq":
        response = ((parse.get("response_selector") or {}).get("faq") or {}).get("response") or {}
        message.topic = intent.get("full_retrieval_intent_name") or response.get("intent_response_key") or "faq"
        message.answer_confidence = response.get("confidence")
    message.crisis = name == CRISIS_INTENT or bool(parse.get("crisis_safety_net"))
    message.fallback = name == FALLBACK_INTENT
    lowest = message.lowest_confidence
    # A crisis is never "unanswered" (the safety net answers it), nor is a button click.
    message.low_confidence = bool(
        not message.fallback and not message.crisis and not message.is_button
        and lowest is not None and lowest < low_confidence
    )
    return message


def read_event(event_id: int, data: Dict[str, Any], low_confidence: float = 0.5) -> Optional[Message]:
    """The transcript line for one stored event, or None for bookkeeping events."""
    kind = data.get("event")
    at = data.get("timestamp") or 0.0
    if kind == "user":
        return _user_message(event_id, data, low_confidence)
    if kind == "bot":
        reply = (data.get("metadata") or {}).get("utter_action")
        return Message(event_id, at, "bot", data.get("text") or "", reply=reply, crisis=reply == "utter_crisis")
    if kind == "session_started":
        return Message(event_id, at, "event", "New session started")
    if kind == "slot" and data.get("name") == "crisis_flagged" and data.get("value") is True:
        return Message(event_id, at, "event", "Conversation flagged for crisis", crisis=True)
    return None


def load(data: Any) -> Dict[str, Any]:
    """The ``data`` column as a dict (Rasa stores JSON text; tolerate junk rows)."""
    if isinstance(data, dict):
        return data
    try:
        loaded = json.loads(data or "{}")
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


@dataclass
class Summary:
    """What the conversation list shows and filters on, for one sender."""

    sender_id: str
    started_at: float = 0.0
    last_at: float = 0.0
    channel: str = "unknown"
    user_messages: int = 0
    bot_messages: int = 0
    topics: Tuple[str, ...] = ()
    crisis: bool = False
    fallback_count: int = 0
    low_confidence_count: int = 0
    referral_offered: bool = False
    first_message: str = ""
    search_text: str = ""
    last_event_id: int = 0
    unanswered_messages: List[Message] = field(default_factory=list)

    @property
    def unanswered(self) -> bool:
        return bool(self.fallback_count or self.low_confidence_count)


def summarise(sender_id: str, rows: Iterable[Sequence[Any]], low_confidence: float = 0.5) -> Summary:
    """Summary of one sender from its ``(id, timestamp, data)`` rows, in id order."""
    summary = Summary(sender_id)
    topics: Dict[str, None] = {}
    texts: List[str] = []
    for event_id, timestamp, raw in rows:
        summary.last_event_id = max(summary.last_event_id, event_id)
        if timestamp is not None:
            summary.started_at = timestamp if not summary.started_at else min(summary.started_at, timestamp)
            summary.last_at = max(summary.last_at, timestamp)
        message = read_event(event_id, load(raw), low_confidence)
        if message is None:
            continue
        summary.crisis = summary.crisis or message.crisis
        if message.speaker == "bot":
            summary.bot_messages += 1
            summary.referral_offered = summary.referral_offered or message.reply in REFERRAL_REPLIES
        elif message.speaker == "user":
            summary.user_messages += 1
            if summary.user_messages == 1:
                summary.channel = message.channel or "unknown"
                summary.first_message = message.text[:200]
            texts.append(message.text.lower())
            if message.topic and message.topic not in SMALL_TALK and not message.fallback:
                topics[message.topic] = None
            summary.fallback_count += message.fallback
            summary.low_confidence_count += message.low_confidence
            if message.unanswered:
                summary.unanswered_messages.append(message)
    summary.topics = tuple(sorted(topics))
    summary.search_text = "\n".join(texts)[:SEARCH_TEXT_LIMIT]
    return summary
