"""The callback request on text channels: the widget's form, asked as questions.

First name (optional: "skip"), UK phone number, best time (numbered choices), consent (with
the privacy notice), then confirmation. Each answer is checked by ``bot/storage/callbacks.py``
(the same rules, messages and encrypted store as the widget's form, so one implementation),
and the request lands in the console's callback queue. It starts only from the "Request a
callback" option the bot offered (``bot/nlg/feedback.py`` adds it to the hand-off reply when
``CALLBACK_KEY`` is set), and "cancel" stops it.

The answers are personal data, and like the widget's form they never reach the tracker or
the log: the flow runs in the connector (``bot/channels/base.py``) inside the Rasa server, with
its state in memory (a draft per conversation, dropped when done, cancelled, or after
``IDLE_SECONDS``). Safety first: every answer goes through the NLU before it is read as an
answer, and one that shows any risk (crisis, or the check-in band) ends the flow and is handed
to the assistant as an ordinary message, so it gets the crisis reply or the safety check-in.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Optional

import yaml

from bot import settings
from bot.storage import callbacks

logger = logging.getLogger(__name__)

START_PAYLOAD = "/request_callback"
TEXTS_FILE = Path(__file__).with_name("callback_flow.yml")
IDLE_SECONDS = 30 * 60  # a draft left this long is dropped; the next message is ordinary text
CANCEL = frozenset({"cancel", "stop", "quit", "no thanks", "exit"})
SKIP = frozenset({"skip", "no", "none", "-", "rather not", "rather not say"})
YES = frozenset({"1", "yes", "y", "yes please", "i agree", "agree", "ok", "okay"})
NO = frozenset({"2", "no", "n", "i don't agree", "i do not agree", "disagree"})
TIMES = list(callbacks.BEST_TIMES)  # numbered from 1 in this order


@lru_cache(maxsize=1)
def texts() -> Dict[str, str]:
    return yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8"))


def say(name: str, **values: Any) -> str:
    choices = "\n".join(f"{n}. {callbacks.BEST_TIMES[key]}" for n, key in enumerate(TIMES, start=1))
    filled = {
        **settings.practice().template_values(),
        "choices": choices,
        "retention_days": settings.callback_retention_days(),
        **values,
    }
    return texts()[name].format_map(filled).strip()


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s'-]", " ", text.lower()).split())


@dataclass
class Draft:
    step: str = "first_name"
    first_name: str = ""
    phone: str = ""
    best_time: str = ""
    touched: float = 0.0


class CallbackFlow:
    """Drafts of callback requests, one per conversation, and the next question for each answer."""

    def __init__(self, store: callbacks.CallbackStore, conversations: int = 10_000) -> None:
        self.store = store
        self._drafts: "OrderedDict[str, Draft]" = OrderedDict()
        self._limit = conversations

    def active(self, conversation_id: str, now: Optional[float] = None) -> bool:
        draft = self._drafts.get(conversation_id)
        if draft is not None and (now or time.time()) - draft.touched > IDLE_SECONDS:
            del self._drafts[conversation_id]
            return False
        return draft is not None

    def cancel(self, conversation_id: str) -> None:
        self._drafts.pop(conversation_id, None)

    async def start(self, conversation_id: str) -> str:
        if await asyncio.to_thread(self.store.requested, conversation_id) >= callbacks.PER_CONVERSATION:
            return say("already")
        self._drafts.pop(conversation_id, None)
        self._drafts[conversation_id] = Draft(touched=time.time())
        while len(self._drafts) > self._limit:
            self._drafts.popitem(last=False)
        return say("start")

    async def answer(self, conversation_id: str, text: str) -> Optional[str]:
        """The reply to one answer (not risky: the caller checked): the next question, what to
        fix, or the confirmation once the request is stored; None if no request is in progress
        (it just ended, e.g. by a message that arrived a moment earlier)."""
        draft = self._drafts.get(conversation_id)
        if draft is None:
            return None
        draft.touched = time.time()
        words = _words(text)
        if words in CANCEL:
            self.cancel(conversation_id)
            return say("cancelled")
        if draft.step == "first_name":
            name = "" if words in SKIP else text.strip()
            error = callbacks.field_error("first_name", name)
            if error:
                return error + ' Or reply "skip".'
            draft.first_name, draft.step = name, "phone"
            return say("phone")
        if draft.step == "phone":
            error = callbacks.field_error("phone", text)
            if error:
                return error
            draft.phone, draft.step = text.strip(), "best_time"
            return say("best_time")
        if draft.step == "best_time":
            number = words.rstrip(".")
            if not (number.isdigit() and 1 <= int(number) <= len(TIMES)):
                return say("best_time_again")
            draft.best_time, draft.step = TIMES[int(number) - 1], "consent"
            return say("consent")
        # consent
        if words in NO:
            self.cancel(conversation_id)
            return say("cancelled")
        if words not in YES:
            return say("consent_again")
        return await self._store(conversation_id, draft)

    async def _store(self, conversation_id: str, draft: Draft) -> str:
        self.cancel(conversation_id)
        try:
            callback = callbacks.checked(
                {
                    "first_name": draft.first_name,
                    "phone": draft.phone,
                    "best_time": draft.best_time,
                    "consent": True,
                }
            )
            await asyncio.to_thread(self.store.add, conversation_id, callback)
        except Exception:  # noqa: BLE001 - the visitor is told to phone instead
            logger.exception("A callback request from a text channel could not be stored")
            return say("unavailable")
        logger.info("Callback requested from a text-channel conversation")  # no details in the log
        from bot.alerts import hook as alerts

        alerts.on_callback(conversation_id)
        spaced = callback.phone if len(callback.phone) != 11 else f"{callback.phone[:5]} {callback.phone[5:]}"
        return say("done", phone=spaced, best_time=callbacks.BEST_TIMES[callback.best_time].lower())


@lru_cache(maxsize=1)
def shared_flow() -> Optional[CallbackFlow]:
    """The server's flow (every text channel; ids are namespaced), or None without ``CALLBACK_KEY``."""
    store = callbacks.shared_store()
    return CallbackFlow(store) if store is not None else None


async def risky(agent: Any, text: str) -> bool:
    """Whether ``text`` shows any risk, as the assistant's NLU reads it (the crisis intent, or
    a risk level of crisis or check-in); if it cannot be read, treated as risky."""
    if agent is None or not agent.is_ready():
        from bot.channels.safe_rest import crisis_detector

        return await asyncio.to_thread(crisis_detector().is_risky, text)  # the lexicon, without the model
    try:
        parsed = await agent.parse_message(text)
    except Exception:  # noqa: BLE001 - the assistant answers it instead, crisis net and all
        logger.exception("Callback flow: could not check an answer for risk")
        return True
    level = (parsed.get("risk") or {}).get("level") if isinstance(parsed.get("risk"), dict) else None
    return (parsed.get("intent") or {}).get("name") == "crisis" or level in ("crisis", "check_in")
