"""Feedback votes as channels see them: the payloads, and where a stored bot message offered them.

Pure functions, no Rasa (``input_rules.py`` uses them too). The answers get their feedback
block where responses are rendered (``bot/nlg/feedback.py``, which says how the whole flow
works); here: the payload a vote sends, the block read back from a stored bot message, and
a typed "1"/"2" read as a vote only right after the bot asked "Was this helpful?".
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, Iterable, List, Optional

FEEDBACK_INTENT = "feedback"
YES, NO = "1", "2"
# The exact payloads this module makes: the typed-command check (bot/channels/input_rules.py)
# lets this shape through as a payload only when the bot offered it.
PAYLOAD = re.compile(r'/feedback\{"rated_topic":"([a-z0-9_]{1,60})","helpful":"(yes|no)"\}')


def payload(topic: str, helpful: bool) -> str:
    value = json.dumps({"rated_topic": topic, "helpful": "yes" if helpful else "no"}, separators=(",", ":"))
    return f"/{FEEDBACK_INTENT}{value}"


def event_dict(event: Any) -> Dict[str, Any]:
    """A Rasa event or its stored dict, as the dict."""
    return event if isinstance(event, dict) else event.as_dict()


def feedback_of(bot_event: Any) -> Dict[str, Any]:
    """The ``feedback`` block of a stored bot message (a Rasa event or its dict), or {}."""
    data = event_dict(bot_event)
    if data.get("event") != "bot":
        return {}
    found = ((data.get("metadata") or {}).get("metadata") or {}).get("feedback")
    return found if isinstance(found, dict) else {}


def feedback_buttons(bot_event: Any) -> List[Dict[str, str]]:
    """The two vote payloads a bot message offered, as buttons (for the typed-command check)."""
    found = feedback_of(bot_event)
    return [
        {"title": title, "payload": found[key]}
        for title, key in (("Yes", "yes"), ("No", "no"))
        if isinstance(found.get(key), str)
    ]


def feedback_reply(text: str, events: Iterable[Any]) -> Optional[str]:
    """The vote a typed "1" or "2" means, if the bot's messages since the visitor's last
    message asked "Was this helpful?"; otherwise None (the text is ordinary text)."""
    if text.strip() not in (YES, NO):
        return None
    for event in reversed(list(events or [])):
        data = event_dict(event)
        if data.get("event") == "user":
            return None
        found = feedback_of(data)
        if found.get("ask"):
            return found.get("yes" if text.strip() == YES else "no")
    return None
