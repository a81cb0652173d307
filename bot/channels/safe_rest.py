"""The REST channel, hardened: Rasa's ``RestInput`` behind checks, limits and polite refusals.

Enabled in credentials.yml as ``bot.channels.safe_rest.SafeRestInput``. Its name stays
``rest``, so the webhook is still ``/webhooks/rest/webhook`` and stored turns still say
``input_channel: rest``. What it adds (docs/security.md, docs/reliability.md):

- a request must be a JSON object (415/400 otherwise) with a safe ``sender`` id and a text
  ``message``, no bigger than ``MAX_REQUEST_BYTES`` (413); invisible characters are
  dropped (``input_rules.py``); a client cannot set ``input_channel``;
- a message longer than ``MAX_MESSAGE_CHARS`` is not parsed: the visitor is asked to
  shorten it, unless it holds risk language, when it is answered as a crisis;
- a rate limit per conversation and per address (429 with a polite reply);
- if the server cannot handle a message (e.g. the lock store is down), a 503 with a polite
  reply that still gives the crisis lines, instead of Rasa's silent empty 200;
- ``GET /webhooks/rest/health``: whether it can answer without losing anything;
- it is for integrations: with ``REST_CHANNEL_TOKEN`` set (required with ``APP_ENV=production``)
  a message needs ``Authorization: Bearer <token>`` (401 otherwise), and its conversations
  live under ``rest:`` (``bot/channels/ids.py``): a ``sender`` naming a widget session or
  ``whatsapp:+44…`` reaches a REST-only conversation, never the widget's or WhatsApp's;
- typed ``/…`` text is a payload only if the bot's latest message offered it
  (``input_rules.as_typed_or_offered``): ``/restart`` or ``/crisis`` typed is text.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
from functools import lru_cache
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import settings
from bot.channels.ids import conversation_id
from bot.channels.input_rules import Incoming, Rejected, checked_command, parse_json_object, read_message
from bot.channels.rate_limit import SlidingWindowLimiter
from bot.channels.replies import channel_replies, channel_reply
from bot.storage.health import primary_tracker_store, readiness

logger = logging.getLogger(__name__)

APP_MAX_REQUEST_BYTES = 1024 * 1024  # for every route of the server; ours is stricter
REPLAY_EVERY_SECONDS = 30.0
CRISIS_PAYLOAD = "/crisis"  # Rasa reads it as the intent itself: utter_crisis, then the flag


@lru_cache(maxsize=1)
def crisis_detector() -> Any:
    """The crisis net's rule half, for messages too long to go through the model."""
    import spacy

    from bot.nlu.crisis_lexicon import CrisisDetector
    from bot.nlu.spacy_model import DEFAULT_TARGET

    return CrisisDetector(spacy.load(DEFAULT_TARGET))


class SafeRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"  # the webhook path is /webhooks/<name>/webhook

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls()

    def __init__(self, limits: Optional[settings.InputLimits] = None, token: Optional[str] = None) -> None:
        self.limits = limits or settings.input_limits()
        self.token = settings.rest_channel_token() if token is None else token
        self.per_sender = SlidingWindowLimiter(self.limits.per_sender_per_minute)
        self.per_address = SlidingWindowLimiter(self.limits.per_address_per_minute)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.listener("before_server_start")
        async def prepare(app: Sanic, _loop: Any) -> None:
            if "SANIC_REQUEST_MAX_SIZE" not in os.environ:
                # Sanic's default is 100 MB for any route; nothing this server takes is near 1 MB
                app.config.REQUEST_MAX_SIZE = max(APP_MAX_REQUEST_BYTES, self.limits.max_request_bytes)
            crisis_detector()  # load now, not on a visitor's long message
            channel_replies()  # and the polite replies: a broken domain.yml stops the start
            app.add_task(replay_journal_periodically(app))

        @webhook.route("/", methods=["GET"])
        async def alive(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/health", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            status, report = await readiness(getattr(request.app.ctx, "agent", None))
            return response.json(report, status=status)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self.receive(request, on_new_message)

        return webhook

    def authorised(self, request: Request) -> bool:
        if not self.token:
            return True
        scheme, _, given = (request.headers.get("Authorization") or "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), self.token.encode())

    async def receive(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[None]]
    ) -> Any:
        if not self.authorised(request):
            return response.json(
                {
                    "error": "This endpoint is for the practice's integrations: send its token "
                    "as 'Authorization: Bearer <token>'."
                },
                status=401,
                headers={"WWW-Authenticate": 'Bearer realm="rest"'},
            )
        if len(request.body) > self.limits.max_request_bytes:
            return refusal(413, f"The request is larger than {self.limits.max_request_bytes} bytes.")
        try:
            incoming = read_message(
                parse_json_object(request.body, request.content_type), self.limits.max_message_chars
            )
        except Rejected as rejected:
            return refusal(rejected.status, rejected.reason)

        address = request.remote_addr or request.ip  # remote_addr: only when Sanic trusts a proxy
        for limiter, key in ((self.per_sender, incoming.sender_id), (self.per_address, address)):
            if not limiter.allow(key):
                replies = self.polite("utter_rate_limited", incoming.sender_id)
                return response.json(
                    replies, status=429, headers={"Retry-After": str(limiter.retry_after(key))}
                )

        conversation = conversation_id("rest", incoming.sender_id)
        text, metadata = incoming.text, incoming.metadata
        if not incoming.too_long:
            text = await checked_command(getattr(request.app.ctx, "agent", None), conversation, text)
        if incoming.too_long:
            if not await asyncio.to_thread(crisis_detector().is_risky, text):
                replies = self.polite(
                    "utter_message_too_long", incoming.sender_id, max_chars=self.limits.max_message_chars
                )
                return response.json(replies)
            # Never ask someone in crisis to write less: answer the crisis, record why.
            text, metadata = (
                CRISIS_PAYLOAD,
                {**(metadata or {}), "message_too_long": {"characters": len(text)}},
            )

        if request.args.get("stream", "").lower() == "true":
            return response.stream(
                self.stream_response(on_new_message, text, conversation, self.name(), metadata),
                content_type="text/event-stream",
            )
        return await self.answer(request, on_new_message, incoming, text, metadata)

    async def answer(
        self,
        request: Request,
        on_new_message: Callable[[UserMessage], Awaitable[None]],
        incoming: Incoming,
        text: str,
        metadata: Optional[Dict[str, Any]],
    ) -> HTTPResponse:
        collector = CollectingOutputChannel()
        conversation = conversation_id("rest", incoming.sender_id)
        message = UserMessage(text, collector, conversation, input_channel=self.name(), metadata=metadata)
        try:
            await on_new_message(message)
        except Exception as error:
            # Rasa's RestInput logs this and answers 200 with no reply at all. The message
            # was not handled (nothing stored), so say so and ask the visitor to resend.
            logger.exception(
                "Could not handle a REST message for %s (%s)", incoming.sender_id, type(error).__name__
            )
            replies = self.polite("utter_try_again_later", incoming.sender_id)
            return response.json(replies, status=503, headers={"Retry-After": "30"})
        # the client knows its conversation by the id it sent, not by our namespaced one
        return response.json([{**m, "recipient_id": incoming.sender_id} for m in collector.messages])

    @staticmethod
    def polite(name: str, sender_id: str, **values: Any) -> List[Dict[str, Any]]:
        """The domain's reply ``name`` (bot/channels/replies.py), as REST returns messages."""
        return [{"recipient_id": sender_id, "text": channel_reply(name, **values)}]


def refusal(status: int, reason: str) -> HTTPResponse:
    return response.json({"error": reason}, status=status)


async def replay_journal_periodically(app: Sanic) -> None:
    """Writes journaled turns back once the database returns, even if no one is chatting."""
    while True:
        await asyncio.sleep(REPLAY_EVERY_SECONDS)
        store = primary_tracker_store(getattr(app.ctx, "agent", None))
        if hasattr(store, "replay_journal"):
            try:
                await store.replay_journal(look_for_orphans=True)
            except Exception:
                logger.exception("Journal replay failed; will try again")
