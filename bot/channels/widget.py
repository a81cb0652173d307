"""The widget's socket channel: Rasa's ``socketio`` channel, made safe for a public website.

1. **Conversations belong to the socket that started them.** The server issues each new
   widget conversation an unguessable id (``web:`` + ``secrets.token_urlsafe``) and a resume
   token (the id with an HMAC signature) that only that browser tab is given. A socket joins
   a conversation by presenting its token (a reload); anything else, including another
   conversation's id, gets a new conversation. A message is filed under the conversation its
   socket holds: one naming another session is refused and stored nowhere. Rasa's own
   handler took ``session_id`` from whoever sent it, so a second script could listen to a
   visitor's replies (the crisis reply too) and write into their conversation.
2. **Typed commands are words.** ``/restart`` or ``/crisis`` typed into the box is the
   visitor's text; only a payload on the buttons of the bot's latest message (and ``/greet``
   before the visitor has written anything) reaches Rasa as a payload: the same check as
   every other channel (``input_rules.as_typed_or_offered``), read against the turns this
   channel just sent and received (``RecentTurns``) rather than the tracker store, which
   Rasa saves only after the reply has gone out, so a quick tap could beat it.
3. **Only allowed pages connect.** ``rasa run --cors`` only covers HTTP; browsers open
   WebSockets to any host without CORS, and scripts send no Origin at all. The socket
   refuses a connection whose Origin is missing or not in ``WEB_ALLOWED_ORIGINS``.
4. **Replies keep what the widget needs.** Rasa 3.6's ``SocketIOOutput`` turns every button
   into a plain quick reply and drops the response's metadata. Here a ``tel:``/``sms:`` button
   stays a link and the crisis reply is marked (``metadata.crisis``).
5. **Rooms are joined for real.** Rasa 3.6 calls ``AsyncServer.enter_room`` without ``await``
   (RasaHQ/rasa#13027); since python-socketio 5.10 that is a coroutine.
6. Messages pass the REST channel's input checks (clean text, id, customData size, the
   MAX_MESSAGE_CHARS cap with its crisis check); a malformed payload is dropped with a
   warning instead of raising inside Rasa's handler.

Enabled in credentials.yml as ``bot.channels.widget.WebchatInput``; the channel keeps the name
``socketio``, so the socket path and the tracker's ``input_channel`` are Rasa's usual ones.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import inspect
import json
import logging
import secrets
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from bot import settings
from bot.alerts import hook as alerts
from bot.channels.input_rules import (
    Rejected,
    as_typed_or_offered,
    checked_metadata,
    checked_sender,
    clean_text,
)
from bot.channels.replies import channel_replies, channel_reply
from bot.channels.safe_rest import CRISIS_PAYLOAD, crisis_detector
from bot.storage import callbacks

logger = logging.getLogger(__name__)

PREFIX = "web:"  # every conversation id of this channel; other channels use their own
GREET_PAYLOAD = "/greet"  # what the widget sends when a new conversation opens
LINK_SCHEMES = ("tel:", "sms:")  # buttons that dial or text: links, never chat messages


class SessionTokens:
    """Issues conversation ids and the signed tokens that let their own tab resume them."""

    def __init__(self, key: Optional[bytes] = None) -> None:
        self._key = key or secrets.token_bytes(32)

    def _signature(self, raw: Text) -> Text:
        digest = hmac.new(self._key, f"widget-session:{raw}".encode("ascii"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    def issue(self) -> "tuple[Text, Text]":
        """A fresh conversation id and its resume token."""
        raw = secrets.token_urlsafe(24)
        return PREFIX + raw, f"{raw}.{self._signature(raw)}"

    def conversation(self, token: Any) -> Optional[Text]:
        """The conversation ``token`` resumes, or None for anything not signed by this key."""
        if not isinstance(token, str) or token.count(".") != 1 or len(token) > 200:
            return None
        raw, signature = token.split(".")
        if not raw or not hmac.compare_digest(signature, self._signature(raw)):
            return None
        return PREFIX + raw


class RecentTurns:
    """Each conversation's latest turns, as the event dicts ``as_typed_or_offered`` reads:
    the visitor's messages and the bot's messages with payload buttons. In memory, bounded."""

    def __init__(self, conversations: int = 10_000, per_conversation: int = 64) -> None:
        self._turns: "OrderedDict[Text, List[Dict[Text, Any]]]" = OrderedDict()
        self._conversations, self._per_conversation = conversations, per_conversation

    def _add(self, conversation_id: Text, event: Dict[Text, Any]) -> None:
        turns = self._turns.pop(conversation_id, [])
        self._turns[conversation_id] = (turns + [event])[-self._per_conversation :]
        while len(self._turns) > self._conversations:
            self._turns.popitem(last=False)

    def bot(self, conversation_id: Text, buttons: Iterable[Dict[Text, Any]]) -> None:
        offered = [{"title": b.get("title"), "payload": b["payload"]} for b in buttons if "payload" in b]
        if offered:
            self._add(conversation_id, {"event": "bot", "data": {"buttons": offered}})

    def user(self, conversation_id: Text) -> None:
        self._add(conversation_id, {"event": "user"})

    def __call__(self, conversation_id: Text) -> List[Dict[Text, Any]]:
        return list(self._turns.get(conversation_id, ()))


def widget_reply(button: Dict[Text, Any]) -> Dict[Text, Any]:
    """A domain button for the widget: a link for ``web_url`` (or a ``tel:``/``sms:`` payload),
    otherwise a payload to send back."""
    url = button.get("url") if button.get("type") == "web_url" else None
    if not url and str(button.get("payload", "")).startswith(LINK_SCHEMES):
        url = button["payload"]
    if url:
        return {"type": "web_url", "title": button["title"], "url": url}
    return {"content_type": "text", "title": button["title"], "payload": button["payload"]}


def replies_key(replies: List[Dict[Text, Any]]) -> Text:
    """``quick_replies`` vanish once the conversation moves on, which suits topic buttons;
    ``buttons`` stay, so a phone line (the crisis lines above all) can still be dialled later."""
    return "buttons" if any(reply.get("type") == "web_url" for reply in replies) else "quick_replies"


def widget_metadata(response_metadata: Optional[Dict[Text, Any]]) -> Dict[Text, Any]:
    """What the widget needs from a response's metadata: whether it is the crisis reply
    (shown highlighted and announced at once, demo/widget.js), or the thank-you for a vote."""
    response_metadata = response_metadata or {}
    if response_metadata.get("crisis"):
        return {"crisis": True}
    if response_metadata.get("feedback_thanks"):
        return {"feedback_thanks": True}
    return {}


def widget_feedback(response_metadata: Optional[Dict[Text, Any]]) -> Optional[Dict[Text, Text]]:
    """An FAQ answer's thumbs (bot/nlg/feedback.py): its topic and the two vote payloads."""
    found = (response_metadata or {}).get("feedback")
    if not isinstance(found, dict) or not all(isinstance(found.get(k), str) for k in ("topic", "yes", "no")):
        return None
    return {"topic": found["topic"], "yes": found["yes"], "no": found["no"]}


class WebchatOutput(SocketIOOutput):
    """One bubble per paragraph (as Rasa does), keeping link buttons and the crisis mark, and
    noting which payloads were offered to the conversation."""

    def __init__(self, sio: Any, bot_message_evt: Text, turns: Optional[RecentTurns] = None) -> None:
        super().__init__(sio, bot_message_evt)
        self.turns = turns

    async def _send_paragraphs(
        self, recipient_id: Text, text: Text, replies: List[Dict[Text, Any]], kwargs: Dict[Text, Any]
    ) -> None:
        metadata = widget_metadata(kwargs.get("metadata"))
        feedback = widget_feedback(kwargs.get("metadata"))
        if self.turns is not None:
            # link buttons carry a url, not a payload; an FAQ answer's thumbs are offered too
            votes = (
                [{"title": title, "payload": feedback[key]} for title, key in (("Yes", "yes"), ("No", "no"))]
                if feedback
                else []
            )
            self.turns.bot(recipient_id, list(replies) + votes)
        paragraphs = text.strip().split("\n\n")
        for index, paragraph in enumerate(paragraphs):
            message: Dict[Text, Any] = {"text": paragraph}
            last = index == len(paragraphs) - 1
            if replies and last:  # buttons go under the last paragraph
                message[replies_key(replies)] = replies
            if metadata or (feedback and last):
                message["metadata"] = {**metadata, **({"feedback": feedback} if feedback and last else {})}
            await self._send_message(recipient_id, message)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._send_paragraphs(recipient_id, text, [], kwargs)

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self._send_paragraphs(recipient_id, text, [widget_reply(b) for b in buttons], kwargs)


def well_formed(data: Any, metadata_key: Text) -> Optional[Dict[Text, Any]]:
    """The socket payload Rasa's handler can take, or None: an object with a text message,
    and customData that is an object (a JSON string of one is decoded; anything else dropped)."""
    if not isinstance(data, dict) or not isinstance(data.get("message"), str):
        return None
    data = dict(data)
    metadata = data.get(metadata_key)
    if isinstance(metadata, str):
        try:
            metadata = json.loads(metadata)
        except ValueError:
            metadata = None
    if not isinstance(metadata, dict):
        data.pop(metadata_key, None)
    else:
        data[metadata_key] = metadata
    return data


def too_long_reply(max_chars: int) -> Text:
    """The polite "please shorten it" every channel gives (bot/channels/replies.py)."""
    return channel_reply("utter_message_too_long", max_chars=max_chars)


async def _maybe_await(result: Any) -> None:
    if inspect.isawaitable(result):  # enter_room / leave_room: coroutines since python-socketio 5.10
        await result


class WebchatInput(SocketIOInput):
    """Rasa's socket.io input with server-issued, socket-bound conversations."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tokens = SessionTokens(settings.web_session_secret())
        self.turns = RecentTurns()
        self._conversation_of: Dict[Text, Text] = {}  # socket id -> the conversation it holds
        self._socket_of: Dict[Text, Text] = {}  # conversation id -> the socket holding it
        self.callbacks: Optional[callbacks.CallbackStore] = None

    def get_output_channel(self) -> Optional[OutputChannel]:
        if self.sio is None:
            return super().get_output_channel()  # Rasa's warning for multi-worker set-ups
        return WebchatOutput(self.sio, self.bot_message_evt, self.turns)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        channel_replies()  # read the polite replies now: a broken domain.yml stops the start
        namespace = self.namespace or "/"
        self._accept_only_allowed_pages(namespace, settings.web_allowed_origins())
        self.sio.on("session_request", self._session_request, namespace=namespace)
        self.sio.on("disconnect", self._disconnect, namespace=namespace)
        self.callbacks = callbacks.shared_store()
        if self.callbacks is not None:
            self.sio.on("callback_request", self._callback_request, namespace=namespace)

        async def handle_message(sid: Text, data: Any) -> None:
            message = self.user_message(sid, data)
            if message is not None:
                await self._answer(message, on_new_message)

        self.sio.on(self.user_message_evt, handle_message, namespace=namespace)
        return blueprint

    def conversation_of(self, sid: Text) -> Optional[Text]:
        return self._conversation_of.get(sid)

    def user_message(self, sid: Text, data: Any) -> Optional[UserMessage]:
        """The visitor's message as Rasa takes it, or None (with a warning) when refused."""
        checked = well_formed(data, self.metadata_key)
        if checked is None:
            logger.warning("Widget message refused: not an object with a text message")
            return None
        conversation_id = self._conversation_of.get(sid)
        if conversation_id is None:
            logger.warning("Widget message refused: the socket has not been given a conversation")
            return None
        named = checked.get("session_id")
        if named is not None and named != conversation_id:
            logger.warning("Widget message refused: it names a conversation this socket does not hold")
            return None
        try:
            checked_sender(conversation_id)
            metadata = checked_metadata(checked.get(self.metadata_key))
        except Rejected as rejected:
            logger.warning("Widget message refused: %s", rejected.reason)
            return None
        text = as_typed_or_offered(
            clean_text(checked["message"]), self.turns(conversation_id), opening=GREET_PAYLOAD
        )
        if not text:
            return None
        self.turns.user(conversation_id)
        output = WebchatOutput(self.sio, self.bot_message_evt, self.turns)
        return UserMessage(text, output, conversation_id, input_channel=self.name(), metadata=metadata)

    async def _answer(
        self, message: UserMessage, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        max_chars = settings.input_limits().max_message_chars
        if len(message.text) > max_chars:
            # As over REST: never parsed; risky text still gets the crisis reply.
            if not await asyncio.to_thread(crisis_detector().is_risky, message.text):
                await message.output_channel.send_text_message(message.sender_id, too_long_reply(max_chars))
                return
            message.metadata = {
                **(message.metadata or {}),
                "message_too_long": {"characters": len(message.text)},
            }
            message.text = CRISIS_PAYLOAD
        await on_new_message(message)

    def _accept_only_allowed_pages(self, namespace: Text, origins: List[Text]) -> None:
        rasa_connect = self.sio.handlers[namespace]["connect"]

        async def connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            if environ.get("HTTP_ORIGIN") not in origins:
                return False  # another site's page, or a script (browsers always send Origin)
            return await rasa_connect(sid, environ, auth)  # Rasa's JWT check, if configured

        self.sio.on("connect", connect, namespace=namespace)

    async def _session_request(self, sid: Text, data: Any) -> None:
        """Resumes the conversation a valid token names, or starts a new one; either way the
        socket becomes the conversation's only holder."""
        token = data.get("resume_token") if isinstance(data, dict) else None
        conversation_id = self.tokens.conversation(token)
        resumed = conversation_id is not None
        if conversation_id is None:
            conversation_id, token = self.tokens.issue()
        await self._release(sid)
        previous = self._socket_of.get(conversation_id)
        if previous is not None and previous != sid:
            await self._release(previous)  # a reload whose old socket has not closed yet
        self._conversation_of[sid], self._socket_of[conversation_id] = conversation_id, sid
        await _maybe_await(self.sio.enter_room(sid, conversation_id, namespace=self.namespace))
        confirm = {"session_id": conversation_id, "resume_token": token, "resumed": resumed}
        await self.sio.emit("session_confirm", confirm, room=sid, namespace=self.namespace)

    async def _release(self, sid: Text) -> None:
        conversation_id = self._conversation_of.pop(sid, None)
        if conversation_id is None:
            return
        if self._socket_of.get(conversation_id) == sid:
            del self._socket_of[conversation_id]
        await _maybe_await(self.sio.leave_room(sid, conversation_id, namespace=self.namespace))

    async def _disconnect(self, sid: Text, *args: Any) -> None:
        await self._release(sid)

    async def _callback_request(self, sid: Text, data: Any) -> None:
        """A visitor's "call me back" form: checked, stored encrypted, answered with
        ``callback_confirm`` ``{"ok": true}`` or ``{"ok": false, "errors": {field: what to fix}}``."""

        async def reply(result: Dict[Text, Any]) -> None:
            await self.sio.emit("callback_confirm", result, room=sid, namespace=self.namespace)

        conversation_id = self._conversation_of.get(sid)
        if conversation_id is None or self.callbacks is None:
            await reply({"ok": False, "errors": {"form": "The chat is not connected. Please try again."}})
            return
        if await asyncio.to_thread(self.callbacks.requested, conversation_id) >= callbacks.PER_CONVERSATION:
            await reply(
                {"ok": False, "errors": {"form": "We already have your request. Please call us instead."}}
            )
            return
        try:
            callback = callbacks.checked(data)
        except callbacks.Invalid as invalid:
            await reply({"ok": False, "errors": invalid.errors})
            return
        await asyncio.to_thread(self.callbacks.add, conversation_id, callback)
        logger.info("Callback requested from a widget conversation")  # no details in the log
        alerts.on_callback(conversation_id)  # the duty contact hears of it if the conversation was flagged
        await reply({"ok": True})
