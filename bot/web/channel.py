"""The widget's socket channel: Rasa's ``socketio`` channel, with four fixes for the website.

1. Rasa 3.6's ``SocketIOOutput`` turns every button into a plain quick reply (title and
   payload) and drops the response's metadata. rasa-webchat 1.0.1 can do more with both: a
   reply with ``type: web_url`` becomes a real link (so "Call 0808..." is a ``tel:`` link
   that dials on a phone, instead of sending "tel:0808..." as a chat message), and
   ``metadata.customCss`` puts a class on the message bubble (so the crisis reply stands out).
2. Rasa 3.6 calls ``AsyncServer.enter_room`` without ``await`` (RasaHQ/rasa#13027). Since
   python-socketio 5.10 that is a coroutine, so with ``session_persistence`` the widget never
   joins its session's room and no reply ever reaches it.
3. ``rasa run --cors`` only covers HTTP; browsers open WebSockets to any host without CORS.
   The socket refuses pages whose Origin is not in ``WEB_ALLOWED_ORIGINS`` (same list).
4. Messages pass the REST channel's input checks (clean text, session id, customData size,
   the MAX_MESSAGE_CHARS cap with its crisis check); a malformed socket payload (not an
   object, a non-text message, customData that is not JSON) is dropped with a warning
   instead of raising inside Rasa's handler. Rate limits are still REST-only.

Everything else (``session_persistence``, ``metadata_key``, paths, JWT) is Rasa's own.
Enabled in credentials.yml as ``bot.web.channel.WebchatInput``; the channel keeps the name
``socketio``, so the socket path and the tracker's ``input_channel`` are Rasa's usual ones.
"""

from __future__ import annotations

import inspect
import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

import asyncio
import json

from bot import settings
from bot.channels.input_rules import Rejected, checked_metadata, checked_sender, clean_text
from bot.channels.safe_rest import CRISIS_PAYLOAD, crisis_detector, fallback_replies

logger = logging.getLogger(__name__)

# The class web/widget.css styles; rasa-webchat puts it on the message bubble.
CRISIS_CSS = {"style": "class", "css": "rw-crisis"}


def widget_reply(button: Dict[Text, Any]) -> Dict[Text, Any]:
    """A domain button as a rasa-webchat reply: a link for ``web_url``, otherwise a payload."""
    if button.get("type") == "web_url" and button.get("url"):
        return {"type": "web_url", "title": button["title"], "url": button["url"]}
    return {"content_type": "text", "title": button["title"], "payload": button["payload"]}


def replies_key(replies: List[Dict[Text, Any]]) -> Text:
    """``quick_replies`` vanish once the conversation moves on, which suits topic buttons;
    ``buttons`` stay, so a phone line (the crisis lines above all) can still be dialled later."""
    return "buttons" if any(reply.get("type") == "web_url" for reply in replies) else "quick_replies"


def widget_metadata(response_metadata: Optional[Dict[Text, Any]]) -> Dict[Text, Any]:
    """What the widget needs from a response's metadata: whether it is the crisis reply."""
    if (response_metadata or {}).get("crisis"):
        return {"customCss": CRISIS_CSS}
    return {}


class WebchatOutput(SocketIOOutput):
    """One bubble per paragraph (as Rasa does), keeping link buttons and crisis styling."""

    async def _send_paragraphs(
        self, recipient_id: Text, text: Text, replies: List[Dict[Text, Any]], kwargs: Dict[Text, Any]
    ) -> None:
        metadata = widget_metadata(kwargs.get("metadata"))
        paragraphs = text.strip().split("\n\n")
        for index, paragraph in enumerate(paragraphs):
            message: Dict[Text, Any] = {"text": paragraph}
            if replies and index == len(paragraphs) - 1:  # buttons go under the last paragraph
                message[replies_key(replies)] = replies
            if metadata:
                message["metadata"] = metadata
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
    """The REST channel's polite "please shorten it", practice details filled in."""
    values = {**settings.practice().template_values(), "max_chars": max_chars}
    return fallback_replies()["utter_message_too_long"].format_map(values)


class WebchatInput(SocketIOInput):
    """Rasa's socket.io input, answering through ``WebchatOutput``."""

    def get_output_channel(self) -> Optional[OutputChannel]:
        if self.sio is None:
            return super().get_output_channel()  # Rasa's warning for multi-worker set-ups
        return WebchatOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def answer_through_widget_output(message: UserMessage) -> None:
            # The same checks as the REST channel's (bot/channels/input_rules.py): no invisible
            # characters or intent syntax smuggled in, a sane session id, small customData.
            try:
                checked_sender(message.sender_id)
                message.metadata = checked_metadata(message.metadata)
            except Rejected as rejected:
                logger.warning("Widget message refused: %s", rejected.reason)
                return
            message.text = clean_text(message.text or "")
            if not message.text:
                return
            message.output_channel = WebchatOutput(self.sio, self.bot_message_evt)
            max_chars = settings.input_limits().max_message_chars
            if len(message.text) > max_chars:
                # As over REST: never parsed; risky text still gets the crisis reply.
                if not await asyncio.to_thread(crisis_detector().is_risky, message.text):
                    await message.output_channel.send_text_message(message.sender_id, too_long_reply(max_chars))
                    return
                message.metadata = {**(message.metadata or {}), "message_too_long": {"characters": len(message.text)}}
                message.text = CRISIS_PAYLOAD
            await on_new_message(message)

        blueprint = super().blueprint(answer_through_widget_output)
        namespace = self.namespace or "/"
        self._drop_malformed_payloads(namespace)
        self._accept_only_allowed_pages(namespace, settings.web_allowed_origins())
        self.sio.on("session_request", self._session_request, namespace=namespace)
        return blueprint

    def _drop_malformed_payloads(self, namespace: Text) -> None:
        rasa_handle = self.sio.handlers[namespace][self.user_message_evt]

        async def handle_message(sid: Text, data: Any) -> None:
            checked = well_formed(data, self.metadata_key)
            if checked is None:
                logger.warning("Widget message refused: not an object with a text message")
                return
            await rasa_handle(sid, checked)

        self.sio.on(self.user_message_evt, handle_message, namespace=namespace)

    def _accept_only_allowed_pages(self, namespace: Text, origins: List[Text]) -> None:
        rasa_connect = self.sio.handlers[namespace]["connect"]

        async def connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            origin = environ.get("HTTP_ORIGIN")
            if origin and origin not in origins:
                return False  # browsers always send Origin; scripts and tests send none
            return await rasa_connect(sid, environ, auth)  # Rasa's JWT check, if configured

        self.sio.on("connect", connect, namespace=namespace)

    async def _session_request(self, sid: Text, data: Optional[Dict]) -> None:
        # Rasa's handler, with the room joined for real (see fix 2 in the module docstring).
        session_id = data.get("session_id") if isinstance(data, dict) else None
        if not session_id or not isinstance(session_id, str):
            session_id = uuid.uuid4().hex
        if self.session_persistence:
            joined = self.sio.enter_room(sid, session_id, namespace=self.namespace)
            if inspect.isawaitable(joined):  # a coroutine since python-socketio 5.10
                await joined
        await self.sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)
