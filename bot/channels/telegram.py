"""Telegram: ``/webhooks/telegram/webhook``, registered with Telegram when the server starts.

Telegram posts an ``Update`` (JSON) for each message or button tap. Registering the webhook
with a secret token makes Telegram send it back in ``X-Telegram-Bot-Api-Secret-Token``; a
request without it did not come from Telegram. Only private chats are answered: in a group,
several people would share one conversation about their mental health.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Optional, Tuple

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import http
from bot.channels.base import MessagingInput, MessagingOutput, OnNewMessage, refuse
from bot.channels.credentials import Field
from bot.channels.rendering import Shaped
from bot.channels.signatures import same_secret

logger = logging.getLogger(__name__)

# Telegram opens every bot with /start; commands are not intents, so map the two we know.
COMMANDS = {"/start": "/greet", "/help": "/help"}


class TelegramOutput(MessagingOutput):
    channel_name = "telegram"
    id_namespace = "telegram"

    def __init__(self, token: str, api_url: str) -> None:
        super().__init__()
        self.token, self.api_url = token, api_url.rstrip("/")

    async def call(self, method: str, payload: Dict[str, Any]) -> Optional[Any]:
        return await http.post(f"Telegram {method}", f"{self.api_url}/bot{self.token}/{method}", json=payload)

    async def send_shaped(self, recipient_id: str, shaped: Shaped) -> None:
        for index, text in enumerate(shaped.texts):
            payload: Dict[str, Any] = {
                "chat_id": recipient_id,
                "text": text,  # plain text: no parse_mode, so nothing in an answer needs escaping
                "link_preview_options": {"is_disabled": True},
            }
            if shaped.native and index == len(shaped.texts) - 1:
                # One button per row: topic titles are too long to sit side by side.
                payload["reply_markup"] = {
                    "inline_keyboard": [
                        [{"text": option.title, "callback_data": option.payload}] for option in shaped.options
                    ]
                }
            await self.call("sendMessage", payload)


def read_update(update: Dict[str, Any]) -> Optional[Tuple[str, str, Optional[str]]]:
    """``(chat id, text, callback query id)`` of a private text message or button tap, else None."""
    callback = update.get("callback_query")
    message = (callback or {}).get("message") or update.get("message") or {}
    chat = message.get("chat") or {}
    text = callback.get("data") if callback else message.get("text")
    if (
        chat.get("type") != "private"
        or chat.get("id") is None
        or not isinstance(text, str)
        or not text.strip()
    ):
        return None
    command = text.split()[0].split("@")[0] if text.startswith("/") else ""
    return str(chat["id"]), COMMANDS.get(command, text), callback.get("id") if callback else None


class TelegramInput(MessagingInput):
    channel_name = "telegram"
    id_namespace = "telegram"
    title = "Telegram"
    fields = (
        Field("token", "TELEGRAM_TOKEN", secret=True, switch=True),
        Field("webhook_url", "TELEGRAM_WEBHOOK_URL"),
        Field("secret_token", "TELEGRAM_SECRET_TOKEN", secret=True),
        Field("api_url", "TELEGRAM_API_URL", default="https://api.telegram.org"),
    )
    token: str
    webhook_url: str
    secret_token: str
    api_url: str

    def get_output_channel(self) -> TelegramOutput:
        return TelegramOutput(self.token, self.api_url)

    async def register_webhook(self) -> None:
        """Tells Telegram where to post, and the secret to post with (on every start)."""
        answer = await self.get_output_channel().call(
            "setWebhook",
            {
                "url": self.webhook_url,
                "secret_token": self.secret_token,
                "allowed_updates": ["message", "callback_query"],
            },
        )
        if isinstance(answer, dict) and answer.get("ok"):
            logger.info("Telegram webhook registered: %s", self.webhook_url)
        else:
            logger.error("Telegram webhook NOT registered; check TELEGRAM_TOKEN and TELEGRAM_WEBHOOK_URL")

    def add_routes(self, blueprint: Blueprint, on_new_message: OnNewMessage) -> None:
        async def webhook(request: Request) -> HTTPResponse:
            if not same_secret(request.headers.get("X-Telegram-Bot-Api-Secret-Token"), self.secret_token):
                return refuse(self.channel_name, "X-Telegram-Bot-Api-Secret-Token does not match")
            read = read_update(request.json if isinstance(request.json, dict) else {})
            if read is None:
                return response.json({})  # edits, stickers, group chats: acknowledged, not answered
            chat_id, text, callback_id = read
            output = self.get_output_channel()
            if callback_id:  # stops the spinner on the tapped button
                await output.call("answerCallbackQuery", {"callback_query_id": callback_id})
            await self.hand_over(
                request,
                on_new_message,
                chat_id,
                text,
                output,
                metadata={"update_id": request.json.get("update_id")},
                our_payload=callback_id is None and text in COMMANDS.values(),
            )
            return response.json({})

        async def on_start(*_: Any) -> None:
            await self.register_webhook()

        blueprint.add_route(webhook, "/webhook", methods=["POST"])
        # A plain function: Sanic's blueprint listener silently ignores bound methods.
        blueprint.after_server_start(on_start)
