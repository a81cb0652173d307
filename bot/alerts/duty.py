"""The duty alert: an email to the practice's duty contact when a conversation is flagged.

Runs inside the Rasa server (``bot/alerts/hook.py`` calls it as the crisis reply is
rendered), so it works with the action server down. Sending happens in a background task:
the reply never waits for the mail server. Each attempt is logged; a failure is retried with
exponential backoff (2, 4, 8 ... seconds) up to ``attempts`` times. At most one alert is
sent per conversation per flag episode (a Rasa session: a new session after an hour's
silence is a new episode).

The email holds the time, the channel, what the detectors found (a category such as
"abuse", never the visitor's words), whether the visitor asked for a callback ("a callback
was requested", never the name or number), and a link to the transcript in the staff
console. Nothing else about the visitor: the link is the only identifier, and the console
asks for a login before showing anything. A callback requested after the alert went out
gets a second, short alert saying just that (``DutyAlerter.callback``).
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any, Awaitable, Callable, Coroutine, Dict, Optional, Set, Tuple
from urllib.parse import quote

from bot.settings import DutyAlert

logger = logging.getLogger(__name__)

REASONS = {
    "crisis": "a message showed risk and the crisis reply was given",
    "check_in": "the visitor's answer to the safety check-in got the crisis reply",
}


@dataclass(frozen=True)
class Flag:
    """A flagged conversation, as the duty contact is told of it."""

    conversation_id: str
    channel: str
    at: datetime
    reason: str  # a key of REASONS
    kind: str  # which crisis reply was given: self, other_person, abuse ...
    episode: str  # conversation id + session start: one alert per episode


def transcript_url(console_url: str, conversation_id: str) -> str:
    return f"{console_url.rstrip('/')}/transcript/{quote(conversation_id, safe='')}"


CALLBACK_LINE = "A callback was requested: see the callback queue in the staff console.\n"


def _headers(message: EmailMessage, subject: str, config: DutyAlert) -> None:
    message["Subject"] = subject
    message["From"] = config.sender
    message["To"] = ", ".join(config.recipients)
    message["Date"] = format_datetime(datetime.now(timezone.utc))
    message["Message-ID"] = make_msgid(domain=config.sender.rpartition("@")[2] or None)


def compose(flag: Flag, config: DutyAlert, callback_requested: bool = False) -> EmailMessage:
    """The alert email. Deliberately holds none of the visitor's words."""
    message = EmailMessage()
    _headers(message, "Urgent: a conversation with the assistant needs review now", config)
    at = flag.at.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    message.set_content(
        "A conversation with the practice's assistant has been flagged for crisis.\n\n"
        f"When: {at}\n"
        f"Channel: {flag.channel}\n"
        f"Why: {REASONS.get(flag.reason, flag.reason)}\n"
        f"Reply given: the crisis reply for '{flag.kind.replace('_', ' ')}'\n"
        + (CALLBACK_LINE if callback_requested else "")
        + "\n"
        "Read the transcript in the staff console (login needed):\n"
        f"{transcript_url(config.console_url, flag.conversation_id)}\n\n"
        "The visitor was given the emergency and crisis lines. Please follow the practice's "
        "duty procedure. This email never contains what the visitor wrote.\n"
    )
    return message


def compose_callback(flag: Flag, config: DutyAlert) -> EmailMessage:
    """The second, short alert: a flagged conversation's visitor has since asked for a callback."""
    message = EmailMessage()
    _headers(message, "Urgent: a callback was requested in a flagged conversation", config)
    message.set_content(
        "In a conversation already flagged for crisis (the earlier alert), the visitor has now "
        "asked to be called back.\n\n" + CALLBACK_LINE + "\n"
        f"The transcript (login needed):\n{transcript_url(config.console_url, flag.conversation_id)}\n\n"
        "This email never contains the visitor's name, number or words.\n"
    )
    return message


def send_once(message: EmailMessage, config: DutyAlert) -> None:
    """One SMTP delivery attempt (blocking: run it in a thread). Raises on any failure."""
    with smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=config.timeout_seconds) as smtp:
        smtp.ehlo()
        if config.starttls:
            context = ssl.create_default_context(cafile=config.ca_file or None)
            smtp.starttls(context=context)
            smtp.ehlo()
        if config.username:
            smtp.login(config.username, config.password)
        refused = smtp.send_message(message)
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)


class DutyAlerter:
    """Sends each flagged episode's alert once, in the background, with retries."""

    MAX_REMEMBERED = 10_000  # episodes remembered to avoid double alerts; oldest forgotten

    def __init__(
        self,
        config: DutyAlert,
        send: Callable[[EmailMessage, DutyAlert], None] = send_once,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        callback_requested: Optional[Callable[[str], bool]] = None,
    ) -> None:
        self.config, self._send, self._sleep = config, send, sleep
        # Whether a conversation (its console id) has a callback request (blocking: run in a thread).
        self._callback_requested = callback_requested
        self._episodes: "OrderedDict[str, None]" = OrderedDict()
        # Conversations alerted (console id -> the flag), and whether the callback was said.
        self._alerted: "OrderedDict[str, Flag]" = OrderedDict()
        self._callback_told: Dict[str, bool] = {}
        self._tasks: Set[asyncio.Task] = set()  # held so running sends are not garbage-collected

    def alert(self, flag: Flag) -> "Optional[asyncio.Task[bool]]":
        """Schedules the alert for ``flag`` unless its episode already had one. Never blocks."""
        if not self.config.enabled:
            return None
        if flag.episode in self._episodes:
            logger.info("Duty alert: episode already alerted (%s), not sent again", _short(flag))
            return None
        self._episodes[flag.episode] = None
        while len(self._episodes) > self.MAX_REMEMBERED:
            self._episodes.popitem(last=False)
        self._alerted[flag.conversation_id] = flag
        self._callback_told[flag.conversation_id] = False
        while len(self._alerted) > self.MAX_REMEMBERED:
            self._callback_told.pop(self._alerted.popitem(last=False)[0], None)
        return self._start(self.deliver(flag))

    def callback(self, conversation_id: str) -> "Optional[asyncio.Task[bool]]":
        """A callback was just requested in ``conversation_id`` (its console id): if the
        conversation was alerted and that alert did not say so, a second short alert."""
        flag = self._alerted.get(conversation_id)
        if not self.config.enabled or flag is None or self._callback_told.get(conversation_id):
            return None
        self._callback_told[conversation_id] = True
        return self._start(self.deliver(flag, compose_callback(flag, self.config)))

    def _start(self, work: Coroutine[Any, Any, bool]) -> "asyncio.Task[bool]":
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _with_callback_line(self, flag: Flag) -> EmailMessage:
        requested = False
        if self._callback_requested is not None:
            try:
                requested = bool(await asyncio.to_thread(self._callback_requested, flag.conversation_id))
            except Exception:  # noqa: BLE001 - the alert goes out without the line rather than not at all
                logger.exception("Duty alert: could not check for a callback request")
        if requested:
            self._callback_told[flag.conversation_id] = True
        return compose(flag, self.config, callback_requested=requested)

    async def deliver(self, flag: Flag, message: Optional[EmailMessage] = None) -> bool:
        """Tries up to ``attempts`` times; True once the mail server accepted the alert."""
        message = message or await self._with_callback_line(flag)
        delay = self.config.first_retry_seconds
        for attempt in range(1, self.config.attempts + 1):
            try:
                await asyncio.to_thread(self._send, message, self.config)
            except Exception as error:  # noqa: BLE001 - any failure is logged and retried
                logger.warning(
                    "Duty alert attempt %d/%d failed (%s): %s: %s",
                    attempt,
                    self.config.attempts,
                    _short(flag),
                    type(error).__name__,
                    error,
                )
                if attempt < self.config.attempts:
                    await self._sleep(delay)
                    delay *= 2
                continue
            logger.info("Duty alert attempt %d/%d sent (%s)", attempt, self.config.attempts, _short(flag))
            return True
        logger.error(
            "Duty alert NOT delivered after %d attempts (%s): check duty_alert settings",
            self.config.attempts,
            _short(flag),
        )
        return False

    async def drain(self) -> Tuple[bool, ...]:
        """Waits for the alerts being sent (for tests and a clean shutdown)."""
        return tuple(await asyncio.gather(*list(self._tasks)))


def _short(flag: Flag) -> str:
    # Logs name the channel and time, and the conversation only by the link's id.
    return f"channel {flag.channel}, flagged {flag.at.isoformat(timespec='seconds')}"
