"""What every messaging connector shares: refusing forged requests, numbered replies, shaping.

Options offered as numbers (SMS, WhatsApp, long lists on Messenger) are remembered in the
conversation itself: the bot's last message, with its buttons, is already in the tracker
store (a ``bot`` event), so a reply of "2" is looked up there. Nothing extra is stored, it
survives restarts, and it works with several servers sharing one database. The stored user
message is the picked option's payload, with ``{"typed": "2", "picked_option": 2}`` in its
metadata so a reviewer sees what was actually typed.

Conversation ids are the channel's namespace plus the platform's id (``telegram:12345``,
``twilio:whatsapp:+44…``; ``bot/channels/ids.py``), so no channel reaches another's
conversations; outputs strip the namespace to reply. Typed ``/…`` text is only a payload if
the bot's latest message offered it (``input_rules.as_typed_or_offered``), and a webhook
delivery the platform already sent once is not handled again (``replay.py``).
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, List, NoReturn, Optional, Tuple

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import callback_flow
from bot.channels.credentials import Field
from bot.channels.feedback import feedback_reply
from bot.channels.ids import conversation_id, platform_id
from bot.channels.input_rules import as_typed_or_offered, clean_text
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
    id_namespace = ""

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
            await self.send_shaped(platform_id(recipient_id, self.id_namespace), shaped)
        # "Was this helpful? Reply 1 for yes, 2 for no": after the answer, as its own message
        # (bot/nlg/feedback.py decides when; hand_over reads the reply).
        question = ((kwargs.get("metadata") or {}).get("feedback") or {}).get("ask")
        if shaped.texts and isinstance(question, str) and question:
            await self.send_shaped(
                platform_id(recipient_id, self.id_namespace), shape(question, [], self.style)
            )

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        # Only the response's metadata travels on (the feedback question); Rasa's kwargs also
        # hold the message's other keys, "buttons" among them.
        await self.send_text_with_buttons(recipient_id, text, [], metadata=kwargs.get("metadata"))

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies, metadata=kwargs.get("metadata"))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.send_text_message(recipient_id, image)  # a link works on every channel

    async def send_custom_json(self, recipient_id: str, json_message: Any, **kwargs: Any) -> None:
        logger.warning("%s: custom payloads are not supported; not sent", self.channel_name)


async def conversation_events(request: Request, sender_id: str) -> List[Any]:
    agent = getattr(request.app.ctx, "agent", None)
    store = getattr(agent, "tracker_store", None)
    tracker = await store.retrieve(sender_id) if store else None
    return list(tracker.events) if tracker else []


def last_offered_in(events: List[Any]) -> Dict[str, Any]:
    """The bot's last message with options (``text``, ``buttons``), if after the user's last message."""
    for event in reversed(events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, BotUttered) and options_from(event.data.get("buttons") or []):
            return {"text": event.text, "buttons": event.data["buttons"]}
    return {}


async def last_offered(request: Request, sender_id: str) -> Dict[str, Any]:
    return last_offered_in(await conversation_events(request, sender_id))


class MessagingInput(InputChannel):
    """A platform's webhook: subclasses declare their credential ``fields``, add routes and
    call ``hand_over`` for each message."""

    channel_name = ""
    id_namespace = ""  # bot/channels/ids.py
    title = ""  # what the launcher calls the channel
    # What the connector reads from credentials.yml, the variable that fills each and its
    # default: the one declaration ``from_credentials``, ``__init__`` and the launcher's
    # credentials file (bot/channels/credentials.py) all read.
    fields: Tuple[Field, ...] = ()

    @classmethod
    def name(cls) -> str:
        return cls.channel_name  # also the URL prefix: /webhooks/<name>/webhook

    @classmethod
    def raise_missing_credentials_exception(cls) -> NoReturn:
        """Rasa's error for a channel started without credentials, declared NoReturn here
        because Rasa ships no type information (so ``from_credentials`` type-checks)."""
        super().raise_missing_credentials_exception()
        raise AssertionError("unreachable: Rasa's raise_missing_credentials_exception raises")

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> "MessagingInput":
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(**{f.key: credentials[f.key] for f in cls.fields if f.key in credentials})

    def __init__(self, **credentials: Any) -> None:
        """One attribute per declared field; an empty optional one takes its default."""
        unknown = set(credentials) - {f.key for f in self.fields}
        if unknown:
            raise TypeError(f"{type(self).__name__} has no credential {', '.join(sorted(unknown))}")
        for f in self.fields:
            value = credentials.get(f.key)
            if not value and f.default is not None:
                value = f.default
            if value is None:
                raise ValueError(
                    f"{self.title}: credentials.yml lacks {f.key!r} (set {f.env}, see docs/channels/)"
                )
            setattr(self, f.attr or f.key, value)

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
        our_payload: bool = False,
    ) -> None:
        """Passes one user message to the assistant; a typed number becomes the option's payload.

        ``our_payload``: the text is a payload this server chose (Telegram's /start), not typed.
        """
        # The REST channel's rules for typed text: no invisible characters, and no "/…" text
        # that would skip the crisis safety net by posing as an intent.
        text = clean_text(text)
        if not text:
            return
        metadata = dict(metadata or {})
        conversation = conversation_id(self.id_namespace, sender_id)
        try:
            if await self._callback_step(request, conversation, text, output):
                return
            events = await conversation_events(request, conversation)
            vote = None if our_payload else feedback_reply(text, events)
            if vote is not None:  # "1"/"2" right after "Was this helpful?"
                metadata.update(typed=text)
                text = vote
            elif option_number(text) is not None:
                payload = picked_payload(text, last_offered_in(events), output.style)
                if payload is not None:
                    metadata.update(typed=text, picked_option=option_number(text))
                    text = payload
            elif not our_payload:
                text = as_typed_or_offered(text, events)
            flow = callback_flow.shared_flow()
            if text == callback_flow.START_PAYLOAD and flow is not None:  # the option the bot offered
                await output.send_text_message(conversation, await flow.start(conversation))
                return
            await on_new_message(
                UserMessage(text, output, conversation, input_channel=self.name(), metadata=metadata or None)
            )
        except Exception:  # noqa: BLE001 - an error status would only make the platform resend
            logger.exception("%s: could not handle a message", self.channel_name)

    async def _callback_step(
        self, request: Request, conversation: str, text: str, output: MessagingOutput
    ) -> bool:
        """Answers one step of a callback request in progress (bot/channels/callback_flow.py);
        False when there is none, or the message shows risk: then the assistant answers it."""
        flow = callback_flow.shared_flow()
        if flow is None or not flow.active(conversation):
            return False
        if await callback_flow.risky(getattr(request.app.ctx, "agent", None), text):
            flow.cancel(conversation)  # safety first: the crisis reply, not the next question
            return False
        reply = await flow.answer(conversation, text)
        if reply is None:
            return False
        await output.send_text_message(conversation, reply)
        return True
