"""The replies channels send without asking the model: "please shorten it", "slow down" and
"try again later" (utter_message_too_long, utter_rate_limited, utter_try_again_later).

Their text is the domain's (domain.yml), so editing it there changes every channel's reply.
They are read from the file itself, once, when a channel starts, not from a loaded model:
these replies are needed exactly when the model or the server behind it cannot answer, and a
person must never get an error code alone. Practice details are filled in from practice.yml.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict

import yaml

from bot import settings

DOMAIN_FILE = settings.PROJECT_ROOT / "domain.yml"
CHANNEL_REPLIES = ("utter_message_too_long", "utter_rate_limited", "utter_try_again_later")


class _LeaveUnknown(dict):
    """Fills what it knows and leaves an unknown ``{placeholder}`` as written, as Rasa does."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@lru_cache(maxsize=1)
def channel_replies() -> Dict[str, str]:
    """Response name -> its text in the domain. Raises at start-up if one is missing."""
    responses = yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8"))["responses"]
    missing = [name for name in CHANNEL_REPLIES if not (responses.get(name) or [{}])[0].get("text")]
    if missing:
        raise ValueError(f"{DOMAIN_FILE} has no text for {', '.join(missing)}: the channels need it")
    return {name: responses[name][0]["text"] for name in CHANNEL_REPLIES}


def channel_reply(name: str, **values: Any) -> str:
    """The text of ``name`` with the practice's details and ``values`` (e.g. ``max_chars``) filled in."""
    filled = _LeaveUnknown({**settings.practice().template_values(), **values})
    return channel_replies()[name].format_map(filled)
