"""What the REST channel accepts: a JSON object with a safe sender id and a text message.

Pure functions and no Rasa, so property tests can throw arbitrary payloads at them. The
channel (``safe_rest.py``) turns each ``Rejected`` into a 4xx; nothing rejected is stored.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Dict, Optional

from bot.channels.feedback import PAYLOAD as FEEDBACK_PAYLOAD
from bot.channels.feedback import event_dict, feedback_buttons

# Letters, digits and a few separators that UUIDs, emails and platform ids use: no slashes,
# dots-only names, spaces or quotes, so an id is safe in a log line, a URL or a file name.
SENDER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@+=-]{0,127}")
MAX_METADATA_BYTES = 4096
# "/greet" or "/faq/what_is": a button payload naming an intent. Anything else starting with
# "/" (e.g. '/greet{"slot": 1}' or '/i want to die') would drive Rasa's intent syntax and skip
# the crisis safety net, which ignores payloads, so its leading slashes are dropped. One
# shape with values is kept: a feedback vote (bot/channels/feedback.py), a payload only if offered.
_INTENT_PAYLOAD = re.compile(r"/[A-Za-z_][A-Za-z0-9_/]*")
_JOINERS = {"\u200c", "\u200d"}  # ZWNJ, ZWJ: part of emoji sequences and of Persian/Indic words
_FLAG_TAGS = re.compile("\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f")  # 🏴 Scotland, Wales


class Rejected(ValueError):
    """A request the channel refuses, with the HTTP status and a reason safe to show."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Incoming:
    sender_id: str
    text: str
    metadata: Optional[Dict[str, Any]]
    too_long: bool  # longer than the cap: answered politely, never parsed


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not JSON")  # NaN and Infinity: Python accepts them, JSON does not


def parse_json_object(body: bytes, content_type: Optional[str]) -> Dict[str, Any]:
    """The request body as a JSON object, or ``Rejected`` (415 for other media types, else 400)."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise Rejected(415, "Send the message as JSON (Content-Type: application/json).")
    try:
        payload = json.loads(body.decode("utf-8"), parse_constant=_no_constants)
    except UnicodeDecodeError:
        raise Rejected(400, "The request body is not UTF-8.") from None
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        raise Rejected(400, "The request body is not valid JSON.") from None
    if not isinstance(payload, dict):
        raise Rejected(400, 'The request body must be a JSON object: {"sender": ..., "message": ...}.')
    return payload


def clean_text(text: str) -> str:
    """NFKC-normalised text without invisible characters that hide or disguise words.

    Drops control characters (keeping line breaks, and tabs as spaces), lone surrogates
    (which no database can store) and format characters: zero-width spaces, soft hyphens,
    bidirectional overrides ("Trojan source" spoofing). Kept: emoji, right-to-left
    scripts, and joiners next to non-ASCII letters (emoji sequences, Persian). NFKC turns
    full-width ``ｋｉｌｌ`` into ``kill``, so disguised words still reach the crisis net.
    """
    text = unicodedata.normalize("NFKC", "".join(c for c in text if unicodedata.category(c) != "Cs"))
    flags = {m.start() + i for m in _FLAG_TAGS.finditer(text) for i in range(len(m.group()))}
    kept = []
    for i, char in enumerate(text):
        category = unicodedata.category(char)
        if char in "\n\t":
            kept.append(" " if char == "\t" else "\n")
        elif category == "Cc":
            continue
        elif category == "Cf" and i not in flags:
            neighbours = text[i - 1 : i] + text[i + 1 : i + 2]
            if char in _JOINERS and any(ord(n) > 0x7F for n in neighbours):
                kept.append(char)
        else:
            kept.append(char)
    text = "".join(kept).strip()
    if text.startswith("/") and not (_INTENT_PAYLOAD.fullmatch(text) or FEEDBACK_PAYLOAD.fullmatch(text)):
        text = text.lstrip("/").strip()
    return text


def checked_sender(value: Any) -> str:
    if value is None:
        # Rasa would file every anonymous message under one shared "default" conversation.
        raise Rejected(400, "The request needs a 'sender': an id for this conversation.")
    if not isinstance(value, str) or not SENDER_ID.fullmatch(value):
        raise Rejected(
            400,
            "'sender' must be 1 to 128 letters, digits or . _ : @ + = - (starting with a letter or digit).",
        )
    return value


def checked_metadata(value: Any) -> Optional[Dict[str, Any]]:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise Rejected(400, "'metadata' must be a JSON object.")
    try:
        size = len(json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8"))
    except (ValueError, UnicodeEncodeError):
        raise Rejected(400, "'metadata' holds values that cannot be stored.") from None
    if size > MAX_METADATA_BYTES:
        raise Rejected(400, f"'metadata' is larger than {MAX_METADATA_BYTES} bytes.")
    return value


def read_message(payload: Dict[str, Any], max_chars: int) -> Incoming:
    """Checks a parsed REST payload; ``Rejected`` says what is wrong with it."""
    sender_id = checked_sender(payload.get("sender"))
    raw = payload.get("message")
    if not isinstance(raw, str):
        raise Rejected(400, "'message' must be a string.")
    text = clean_text(raw)
    if not text:
        raise Rejected(400, "'message' is empty.")
    return Incoming(sender_id, text, checked_metadata(payload.get("metadata")), len(text) > max_chars)


# --- typed text that looks like a command (issue 16, F3) ---------------------------------
# Rasa reads any message starting with "/" as an intent, so "/restart", "/back",
# "/session_start" or "/crisis" typed by a visitor would drive the conversation. Only a
# payload the bot itself offered, on a button of its latest message, is a payload; every
# other "/…" is text (its slashes dropped, so the NLU and the crisis net read the words).
# Every channel calls ``as_typed_or_offered`` before handing a message to Rasa: REST and the
# messaging connectors with the stored conversation's events (``checked_command``,
# ``bot/channels/base.py``), the widget socket with the turns it just sent and received
# (``bot/channels/widget.py`` ``RecentTurns``, in the same shape).


def offered_buttons(events: Any, latest_only: bool = True) -> list:
    """Buttons (``{"title", "payload"}``) on bot messages since the visitor's last message
    (``latest_only``), or on any bot message of the conversation. Takes Rasa events or dicts."""
    found: list = []
    for event in reversed(list(events or [])):
        data = event_dict(event)
        if data.get("event") == "user" and latest_only:
            break
        if data.get("event") == "bot":
            found.extend(b for b in ((data.get("data") or {}).get("buttons") or []) if isinstance(b, dict))
            found.extend(feedback_buttons(data))  # a vote on an FAQ answer (bot/channels/feedback.py)
    return found


def as_typed_or_offered(text: str, events: Any, opening: Optional[str] = None) -> str:
    """``text`` if it is a payload offered now; a stale button's title; otherwise plain text.
    ``opening`` is a payload a conversation may start with before the visitor has written
    anything (the widget's ``/greet``)."""
    if not text.startswith("/"):
        return text
    if (
        opening is not None
        and text == opening
        and not any(event_dict(e).get("event") == "user" for e in events or [])
    ):
        return text
    if any(b.get("payload") == text for b in offered_buttons(events)):
        return text
    if FEEDBACK_PAYLOAD.fullmatch(text) and any(
        b.get("payload") == text for b in offered_buttons(events, latest_only=False)
    ):
        return text  # a vote on an earlier answer still counts: it only rates what was offered
    for button in offered_buttons(events, latest_only=False):  # a tap on an older button
        if button.get("payload") == text and isinstance(button.get("title"), str) and button["title"].strip():
            return clean_text(button["title"]).lstrip("/").strip() or text.lstrip("/").strip()
    return text.lstrip("/").strip()


async def checked_command(agent: Any, conversation_id: str, text: str) -> str:
    """``as_typed_or_offered`` against the stored conversation (an agent's tracker store)."""
    if not text.startswith("/"):
        return text
    store = getattr(agent, "tracker_store", None)
    tracker = await store.retrieve(conversation_id) if store is not None else None
    return as_typed_or_offered(text, tracker.events if tracker is not None else [])
