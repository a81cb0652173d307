"""Where the duty alert hooks into the Rasa server: the moment the crisis reply is rendered.

``bot/nlg/practice.py`` calls ``on_response`` for every response it renders; only ``utter_crisis``
(whichever variant) raises an alert. Rendering happens inside the Rasa server, just before
the reply is sent, for a crisis the detectors found and for a check-in answered yes alike,
so this is the one place every flag passes through, with the action server up or down.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from functools import lru_cache
from typing import Optional

from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import settings
from bot.alerts.duty import DutyAlerter, Flag
from bot.privacy.pseudonym import storage_id
from bot.storage import callbacks

logger = logging.getLogger(__name__)

CRISIS_RESPONSE = "utter_crisis"


@lru_cache(maxsize=1)
def duty_alerter() -> DutyAlerter:
    config = settings.duty_alert()
    if not config.enabled:
        logger.warning(
            "Duty alert is off: set duty_alert.smtp_host, sender and recipients "
            "(practice.yml or DUTY_ALERT_*) so flagged conversations reach the duty contact."
        )
    store = callbacks.shared_store()
    return DutyAlerter(config, callback_requested=(lambda cid: store.requested(cid) > 0) if store else None)


def flag_of(tracker: DialogueStateTracker, output_channel: Optional[str]) -> Optional[Flag]:
    """The flag a crisis reply in ``tracker`` raises, or None if this episode already had one."""
    session_start = 0.0
    for event in tracker.events:
        if isinstance(event, SessionStarted):
            session_start = event.timestamp
    earlier = [
        e
        for e in tracker.events
        if isinstance(e, ActionExecuted) and e.action_name == CRISIS_RESPONSE and e.timestamp >= session_start
    ]
    if earlier:
        return None  # a crisis reply was already given in this session: same episode
    return Flag(
        # The id the console shows: a personal id (a phone number) is pseudonymised there and
        # must not travel in an email either.
        conversation_id=storage_id(tracker.sender_id),
        channel=tracker.get_latest_input_channel() or output_channel or "unknown",
        at=datetime.now(timezone.utc),
        reason="check_in" if _answering_check_in(tracker) else "crisis",
        kind=str(tracker.get_slot("crisis_reply") or "self"),
        episode=f"{tracker.sender_id}@{session_start}",
    )


def on_response(utter_action: str, tracker: DialogueStateTracker, output_channel: Optional[str]) -> None:
    """Starts the duty alert for a crisis reply; never raises, never waits."""
    if utter_action != CRISIS_RESPONSE:
        return
    try:
        alerter = duty_alerter()
        if not alerter.config.enabled:
            return
        flag = flag_of(tracker, output_channel)
        if flag is not None:
            alerter.alert(flag)
    except Exception:  # noqa: BLE001 - an alert problem must never stop the crisis reply
        logger.exception("Duty alert could not be started")


def on_callback(conversation_id: str) -> None:
    """A visitor asked for a callback (widget or text channel): a flagged conversation's duty
    contact is told, without details. Never raises; must run in the server's event loop."""
    try:
        alerter = duty_alerter()
        if alerter.config.enabled:
            alerter.callback(storage_id(conversation_id))
    except Exception:  # noqa: BLE001 - a failed alert must not fail the visitor's request
        logger.exception("Duty alert for a callback request could not be started")


def _answering_check_in(tracker: DialogueStateTracker) -> bool:
    """Whether the visitor's latest message answered the safety check-in."""
    users_seen = 0
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            users_seen += 1
            if users_seen > 1:
                return False
        elif users_seen == 1 and isinstance(event, ActionExecuted) and event.action_name != "action_listen":
            return event.action_name == "utter_check_in"
    return False
