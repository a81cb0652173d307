"""What the conversation store writes: copies of Rasa's events without the personal data.

The tracker store (``bot/storage/tracker_store.py``) passes every event through
``stored_event`` just before it is written; the live tracker, and the reply being built
from it, keep the original. For a user message: the text is redacted (``redact.py``) in
``text`` and ``parse_data.text``; token offsets (``parse_data.text_tokens``) are recomputed
on the redacted text, so they no longer show how long the blanked words were; entity values
are redacted and their offsets dropped. The metadata that comes from outside (a user
message's ``metadata`` and ``parse_data.metadata``, a session start's, and Rasa's
``session_started_metadata`` slot) keeps only the keys in ``metadata.yml``; the server's own
metadata on bot messages (``utter_action``) is kept. Bot messages are stored as sent: they carry the practice's
own number, never the visitor's data.
"""

from __future__ import annotations

import copy
import numbers
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, Mapping, Optional

import yaml
from rasa.shared.core.events import Event, SessionStarted, SlotSet, UserUttered

from bot.privacy.redact import redact

ALLOWED_FILE = Path(__file__).with_name("metadata.yml")
SESSION_METADATA_SLOT = "session_started_metadata"  # Rasa copies a session's first metadata here
_TOKEN = re.compile(r"\S+")
REDACTED = "[redacted]"


@lru_cache(maxsize=1)
def allowed_keys() -> Dict[str, Dict[str, Any]]:
    return yaml.safe_load(ALLOWED_FILE.read_text(encoding="utf-8"))["keys"]


def _allowed_value(rule: Mapping[str, Any], value: Any, keep: Iterable[str]) -> Any:
    kind = rule["type"]
    if kind == "text" and isinstance(value, str):
        return redact(value, keep)[: int(rule.get("max", 200))]
    if kind == "number" and isinstance(value, numbers.Real) and not isinstance(value, bool):
        return value
    if kind == "flag" and isinstance(value, bool):
        return value
    if kind == "counts" and isinstance(value, dict):
        return {
            str(k)[:32]: v
            for k, v in value.items()
            if isinstance(v, numbers.Real) and not isinstance(v, bool)
        } or None
    return None


def allowed_metadata(metadata: Any, keep: Iterable[str] = ()) -> Optional[Dict[str, Any]]:
    """``metadata`` with only the allowed keys and values of the allowed type; None if nothing is left."""
    if not isinstance(metadata, dict):
        return None
    rules, kept = allowed_keys(), {}
    for key, value in metadata.items():
        if key in rules:
            clean = _allowed_value(rules[key], value, keep)
            if clean is not None:
                kept[key] = clean
    return kept or None


def token_offsets(text: str) -> list:
    """``[start, end]`` of each word of the (redacted) text, as Rasa stores ``text_tokens``."""
    return [[m.start(), m.end()] for m in _TOKEN.finditer(text or "")]


def _clean_parse_data(parse_data: Dict[str, Any], text: str, changed: bool, keep: Iterable[str]) -> None:
    if "text" in parse_data:
        parse_data["text"] = text if parse_data.get("text") is not None else None
    if changed and "text_tokens" in parse_data:
        parse_data["text_tokens"] = token_offsets(text)
    entities = []
    for entity in parse_data.get("entities") or []:
        entity = dict(entity)
        if isinstance(entity.get("value"), str):
            value = redact(entity["value"], keep)
            if changed and value not in text:  # it was (part of) what the text lost
                value = REDACTED
            if value != entity["value"] or changed:
                entity.pop("start", None), entity.pop("end", None)
            entity["value"] = value
        entities.append(entity)
    if "entities" in parse_data:
        parse_data["entities"] = entities
    if "metadata" in parse_data:
        parse_data["metadata"] = allowed_metadata(parse_data["metadata"], keep) or {}


def stored_event(event: Event, keep: Iterable[str] = ()) -> Event:
    """The copy of ``event`` to write (``event`` itself when nothing needs changing)."""
    clean = copy.deepcopy(event)
    # Metadata from outside (a message's, and Rasa's copy at a session's start) is filtered;
    # the server's own on bot messages and actions (``utter_action``, which the console reads) is kept.
    if isinstance(clean, (UserUttered, SessionStarted)) and clean.metadata is not None:
        clean.metadata = allowed_metadata(clean.metadata, keep) or {}
    if isinstance(clean, SlotSet) and clean.key == SESSION_METADATA_SLOT:
        clean.value = allowed_metadata(clean.value, keep)
    if isinstance(clean, UserUttered):
        text = redact(clean.text, keep)
        parse_text = clean.parse_data.get("text") if clean.parse_data else None
        changed = text != clean.text or (parse_text is not None and redact(parse_text, keep) != parse_text)
        clean.text = text
        if clean.parse_data:
            _clean_parse_data(
                clean.parse_data, redact(parse_text, keep) if parse_text else text, changed, keep
            )
    return clean if clean.as_dict() != event.as_dict() else event
