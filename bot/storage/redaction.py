"""Redacts personal data from what users type before Rasa's SQL store writes it.

``PracticeTrackerStore`` mixes this in. Rasa's ``SQLTrackerStore.save`` writes the events
that ``_additional_events`` yields; we yield redacted copies of user messages there, so the
database never holds the original text while the live tracker (and the reply being built
from it) is left untouched. Only user messages change: the bot's replies carry the
practice's own phone number and are stored as they were sent.
"""

from __future__ import annotations

import copy
from typing import Any, Iterable, Iterator, Tuple

from rasa.shared.core.events import Event, UserUttered

from bot import settings
from bot.privacy.redact import redact


def numbers_to_keep() -> Tuple[str, ...]:
    """Numbers that are the practice's, not the user's: never redacted."""
    try:
        return (settings.practice().phone,)
    except settings.ConfigurationError:
        return ()


def redacted_event(event: Event, keep: Iterable[str] = ()) -> Event:
    """``event`` itself if nothing needs redacting, otherwise a redacted copy."""
    if not isinstance(event, UserUttered):
        return event
    parse_text = event.parse_data.get("text") if event.parse_data else None
    clean_text, clean_parse_text = redact(event.text, keep), redact(parse_text, keep)
    if clean_text == event.text and clean_parse_text == parse_text:
        return event
    clean = copy.deepcopy(event)
    clean.text = clean_text
    if parse_text is not None:
        clean.parse_data["text"] = clean_parse_text
    return clean


class RedactingStoreMixin:
    """Put before ``SQLTrackerStore`` in the bases: redacts the events it is about to write."""

    def _additional_events(self, session: Any, tracker: Any) -> Iterator[Event]:
        keep = numbers_to_keep()
        for event in super()._additional_events(session, tracker):  # type: ignore[misc]
            yield redacted_event(event, keep)
