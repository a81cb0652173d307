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
FEEDBACK_INTENT = "feedback"  # a vote on an answer (bot/nlg/feedback.py)
# Social niceties, and votes on answers: not topics anyone asks about.
SMALL_TALK = frozenset({"greet", "goodbye", "thank", "affirm", "deny", FEEDBACK_INTENT})
VOTE_LABELS = {True: "This answer helped", False: "This answer did not help"}
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


# What staff call each channel. Channel names are the stored ``input_channel`` (Rasa's name
# for the input channel that took the message), never parsed out of conversation ids.
_CHANNEL_LABELS = {
    "socketio": "Website chat",
    "web": "Website chat",
    "webchat": "Website chat",
    "widget": "Website chat",
    "whatsapp": "WhatsApp",
    "sms": "SMS",
    "twilio": "SMS",
    "telegram": "Telegram",
    "facebook": "Messenger",
    "messenger": "Messenger",
    "slack": "Slack",
    "rest": "API",
    "safe_rest": "API",
    "api": "API",
    "cmdline": "Command line",
    "unknown": "Unknown",
}


def channel_label(channel: Optional[str]) -> str:
    """``"socketio"`` -> ``"Website chat"``; a namespaced name (``"web:…"``) by its namespace."""
    if not channel:
        return "Unknown"
    name = channel.split(":", 1)[0].strip().lower()
    return _CHANNEL_LABELS.get(name, name.replace("_", " ").capitalize())


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
    is_button: bool = False  # the text is a payload ("/greet"), not something a person typed
    page: Optional[str] = None  # the web page the visitor was on (the widget sends it)
    # The NLU's risk assessment: level "none", "check_in" or "crisis", score and kinds.
    risk_level: Optional[str] = None
    risk_score: Optional[float] = None
    risk_kinds: Tuple[str, ...] = ()
    buttons: Tuple[Tuple[str, str], ...] = ()  # a bot message's (title, payload) buttons
    pressed: Optional[str] = None  # a user message that was a button press: the button's title
    vote: Optional[bool] = None  # a vote on an answer: helpful or not
    rated_topic: Optional[str] = None  # the answer's topic ("faq/<id>") that vote is for

    @property
    def possible_risk(self) -> bool:
        return self.risk_level == "check_in" and not self.crisis

    @property
    def shown(self) -> bool:
        """Payloads nobody pressed (the widget's /greet) are left out of transcripts; never a
        message with any sign of risk."""
        return not (self.is_button and self.pressed is None and not self.crisis and not self.risk_level_set)

    @property
    def risk_level_set(self) -> bool:
        return self.risk_level not in (None, "none")

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
    message = Message(
        event_id,
        data.get("timestamp") or 0.0,
        "user",
        text,
        topic=name,
        confidence=intent.get("confidence"),
        channel=data.get("input_channel"),
    )
    message.is_button = text.startswith("/")
    metadata = data.get("metadata")
    if not isinstance(metadata, dict):
        metadata = {}
    page = metadata.get("page") or (parse.get("metadata") or {}).get("page")
    message.page = str(page)[:255] if page else None
    risk = parse.get("risk") if isinstance(parse.get("risk"), dict) else {}
    if risk:
        message.risk_level = str(risk.get("level") or "none")
        score = risk.get("score")
        message.risk_score = float(score) if isinstance(score, (int, float)) else None
        kinds = risk.get("kinds") or ()
        message.risk_kinds = tuple(str(kind) for kind in kinds) if isinstance(kinds, (list, tuple)) else ()
    if name == FEEDBACK_INTENT:
        values = {e.get("entity"): e.get("value") for e in parse.get("entities") or [] if isinstance(e, dict)}
        helpful, rated = values.get("helpful"), values.get("rated_topic")
        if helpful in ("yes", "no") and isinstance(rated, str):
            message.vote = helpful == "yes"
            message.rated_topic = "faq/" + rated
            message.pressed = VOTE_LABELS[message.vote]  # the transcript shows the vote, not the payload
    if name == "faq":
        response = ((parse.get("response_selector") or {}).get("faq") or {}).get("response") or {}
        message.topic = (
            intent.get("full_retrieval_intent_name") or response.get("intent_response_key") or "faq"
        )
        message.answer_confidence = response.get("confidence")
    message.crisis = (
        name == CRISIS_INTENT or bool(parse.get("crisis_safety_net")) or message.risk_level == "crisis"
    )
    message.fallback = name == FALLBACK_INTENT
    lowest = message.lowest_confidence
    # A crisis is never "unanswered" (the safety net answers it), nor is a button click.
    message.low_confidence = bool(
        not message.fallback
        and not message.crisis
        and not message.is_button
        and lowest is not None
        and lowest < low_confidence
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
        return Message(
            event_id,
            at,
            "bot",
            data.get("text") or "",
            reply=reply,
            crisis=reply == "utter_crisis",
            buttons=_buttons(data),
        )
    if kind == "session_started":
        return Message(event_id, at, "event", "New session started")
    if kind == "slot" and data.get("name") == "crisis_flagged" and data.get("value") is True:
        return Message(event_id, at, "event", "Conversation flagged for crisis", crisis=True)
    return None


def _buttons(data: Dict[str, Any]) -> Tuple[Tuple[str, str], ...]:
    found = ((data.get("data") or {}).get("buttons") or []) if isinstance(data.get("data"), dict) else []
    return tuple(
        (str(b.get("title") or ""), str(b.get("payload") or "")) for b in found if isinstance(b, dict)
    )


def mark_presses(messages: List[Message]) -> List[Message]:
    """Marks visitor messages that were button presses with the pressed button's title (the
    buttons of the bot's messages since the visitor last spoke)."""
    offered: Dict[str, str] = {}
    for message in messages:
        if message.speaker == "bot":
            offered.update({payload: title for title, payload in message.buttons if payload})
        elif message.speaker == "user":
            if message.text in offered:
                message.pressed = offered[message.text]
            offered = {}
    return messages


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
class Vote:
    """A visitor's vote on an answer, with the question that answer was for (if typed)."""

    vote: Message
    question: Optional[Message]

    @property
    def helpful(self) -> bool:
        return bool(self.vote.vote)


def _answer_topic(reply: Optional[str]) -> Optional[str]:
    """``utter_faq/cost`` or ``utter_more_cost`` -> ``faq/cost``."""
    if reply and reply.startswith("utter_faq/"):
        return "faq/" + reply[len("utter_faq/") :]
    if reply and reply.startswith("utter_more_"):
        return "faq/" + reply[len("utter_more_") :]
    return None


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
    first_message: str = ""  # the first thing the visitor typed (never a payload)
    start_page: str = ""
    crisis_message: str = ""  # the first visitor message the crisis safety net answered
    possible_risk: bool = False
    search_text: str = ""
    last_event_id: int = 0
    unanswered_messages: List[Message] = field(default_factory=list)
    risk_messages: List[Message] = field(default_factory=list)
    votes: List["Vote"] = field(default_factory=list)

    @property
    def unanswered(self) -> bool:
        return bool(self.fallback_count or self.low_confidence_count)


def summarise(sender_id: str, rows: Iterable[Sequence[Any]], low_confidence: float = 0.5) -> Summary:
    """Summary of one sender from its ``(id, timestamp, data)`` rows, in id order."""
    summary = Summary(sender_id)
    topics: Dict[str, None] = {}
    texts: List[str] = []
    last_question: Optional[Message] = None  # the visitor's last typed message
    question_of: Dict[str, Optional[Message]] = {}  # answered topic -> the question it answered
    votes: Dict[str, Vote] = {}  # one per answered topic: the latest vote counts
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
            answered = _answer_topic(message.reply)
            if answered and not (message.reply or "").startswith("utter_more_"):
                question_of[answered] = last_question  # "Tell me more" keeps the first part's question
            elif answered:
                question_of.setdefault(answered, last_question)
        elif message.speaker == "user":
            summary.user_messages += 1
            if summary.user_messages == 1:
                summary.channel = message.channel or "unknown"
                summary.start_page = message.page or ""
            if not summary.first_message and not message.is_button:
                summary.first_message = message.text[:200]
            if message.crisis and not summary.crisis_message:
                summary.crisis_message = message.text[:200]
            if message.possible_risk:
                summary.possible_risk = True
                summary.risk_messages.append(message)
            texts.append(message.text.lower())
            if message.topic and message.topic not in SMALL_TALK and not message.fallback:
                topics[message.topic] = None
            if not message.is_button:
                last_question = message
            if message.vote is not None and message.rated_topic in question_of:
                votes[message.rated_topic] = Vote(message, question_of[message.rated_topic])
            summary.fallback_count += message.fallback
            summary.low_confidence_count += message.low_confidence
            if message.unanswered:
                summary.unanswered_messages.append(message)
    summary.topics = tuple(sorted(topics))
    summary.votes = sorted(votes.values(), key=lambda v: v.vote.event_id)
    summary.search_text = "\n".join(texts)[:SEARCH_TEXT_LIMIT]
    return summary
