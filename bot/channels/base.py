"""What every messaging connector shares: refusing forged requests, numbered replies, shaping.

Options offered as numbers (SMS, WhatsApp, long lists on Messenger) are remembered in the
conversation itself: the bot's last message, with its buttons, is already in the tracker
store (a ``bot`` event), so a reply of "2" is looked up there. Nothing extra is stored, it
survives restarts, and it works with several servers sharing one database. The stored user
message is the picked option's payload, with ``{"typed": "2", "picked_option": 2}`` in its
metadata so a reviewer sees what was actually typed.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.input_rules import clean_text
from bot.channels.rendering import STYLES, Shaped, Style, option_number, options_from, picked_payload, shape

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def refuse(channel: str, why: str) -> HTTPResponse:
    """403 for a request that does not prove it comes from the platform; nothing is stored."""
    logger.warning("%s: refused a webhook request (%s)", channel, why)
    return response.text("Forbidden", status=403)


class MessagingOutput(OutputChannel):
    """Sends Rasa's messages shaped for the channel; subclasses only talk to the platform."""

    channel_name = ""

    @classmethod
    def name(cls) -> str:
        # Rasa passes this to response selection, so a response could vary by channel.
        return cls.channel_name

    @property
    def style(self) -> Style:
        return STYLES[self.channel_name]

    async def send_shaped(self, recipient_id: str, shaped: Shaped) -> None:
        raise NotImplementedError

    async def send_text_with_buttons(
        self, recipient_id: str, text: Optional[str], buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        shaped = shape(text, buttons, self.style)
        if shaped.texts:
            await self.send_shaped(recipient_id, shaped)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_text_with_buttons(recipient_id, text, [])

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.send_text_message(recipient_id, image)  # a link works on every channel

    async def send_custom_json(self, recipient_id: str, json_message: Any, **kwargs: Any) -> None:
        logger.warning("%s: custom payloads are not supported; not sent", self.channel_name)


async def last_offered(request: Request, sender_id: str) -> Dict[str, Any]:
    """The bot's last message with options (``text``, ``buttons``), if after the user's last message."""
    agent = getattr(request.app.ctx, "agent", None)
    store = getattr(agent, "tracker_store", None)
    tracker = await store.retrieve(sender_id) if store else None
    for event in reversed(tracker.events if tracker else []):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, BotUttered) and options_from(event.data.get("buttons") or []):
            return {"text": event.text, "buttons": event.data["buttons"]}
    return {}


class MessagingInput(InputChannel):
    """A platform's webhook: subclasses add routes and call ``hand_over`` for each message."""

    channel_name = ""

    @classmethod
    def name(cls) -> str:
        return cls.channel_name  # also the URL prefix: /webhooks/<name>/webhook

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        blueprint = Blueprint(f"{self.channel_name}_webhook", __name__)

        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        blueprint.add_route(health, "/", methods=["GET"])
        self.add_routes(blueprint, on_new_message)
        return blueprint

    def add_routes(self, blueprint: Blueprint, on_new_message: OnNewMessage) -> None:
        raise NotImplementedError

    async def hand_over(
        self,
        request: Request,
        on_new_message: OnNewMessage,
        sender_id: str,
        text: str,
        output: MessagingOutput,
        metadata: Optional[Dict[str, Any]] = None,
    ) -> None:
        """Passes one user message to the assistant; a typed number becomes the option's payload."""
        # The REST channel's rules for typed text: no invisible characters, and no "/…" text
        # that would skip the crisis safety net by posing as an intent.
        text = clean_text(text)
        if not text:
            return
        metadata = dict(metadata or {})
        try:
            if option_number(text) is not None:
                payload = picked_payload(text, await last_offered(request, sender_id), output.style)
                if payload is not None:
                    metadata.update(typed=text, picked_option=option_number(text))
                    text = payload
            await on_new_message(
                UserMessage(text, output, sender_id, input_channel=self.name(), metadata=metadata or None)
            )
        except Exception:  # noqa: BLE001 - an error status would only make the platform resend
            logger.exception("%s: could not handle a message", self.channel_name)
