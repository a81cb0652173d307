"""SMS and WhatsApp through Twilio: ``/webhooks/sms/webhook`` and ``/webhooks/whatsapp/webhook``.

Twilio posts each incoming message as a form (``From``, ``Body``...) signed with the
account's auth token in ``X-Twilio-Signature``. The signature covers the URL Twilio called,
which behind a proxy is not the URL this server sees, so the public address is configured
(``TWILIO_WEBHOOK_URL``). Replies go out through Twilio's Messages API; neither SMS nor
WhatsApp (outside approved templates) has buttons, so options arrive as a numbered list.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import http
from bot.channels.base import MessagingInput, MessagingOutput, OnNewMessage, refuse
from bot.channels.credentials import Field
from bot.channels.rendering import Shaped
from bot.channels.replay import shared_guard
from bot.channels.signatures import twilio_signature_valid

# What both Twilio channels read besides their own number.
TWILIO_FIELDS = (
    Field("account_sid", "TWILIO_ACCOUNT_SID"),
    Field("auth_token", "TWILIO_AUTH_TOKEN", secret=True),
    Field("webhook_url", "TWILIO_WEBHOOK_URL", default=""),
    Field("api_url", "TWILIO_API_URL", default="https://api.twilio.com"),
)
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


class TwilioSmsOutput(MessagingOutput):
    channel_name = "sms"
    id_namespace = "twilio"

    def __init__(self, account_sid: str, auth_token: str, from_number: str, api_url: str) -> None:
        super().__init__()
        self.account_sid, self.auth_token = account_sid, auth_token
        self.from_number, self.api_url = from_number, api_url.rstrip("/")

    async def send_shaped(self, recipient_id: str, shaped: Shaped) -> None:
        url = f"{self.api_url}/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        for text in shaped.texts:
            await http.post(
                f"Twilio {self.channel_name} message",
                url,
                data={"To": recipient_id, "From": self.from_number, "Body": text},
                auth=aiohttp.BasicAuth(self.account_sid, self.auth_token),
            )


class TwilioWhatsAppOutput(TwilioSmsOutput):
    channel_name = "whatsapp"


class TwilioSmsInput(MessagingInput):
    """Text messages to the practice's Twilio number."""

    channel_name = "sms"
    id_namespace = "twilio"
    output_class = TwilioSmsOutput
    title = "SMS (Twilio)"
    fields = (Field("number", "TWILIO_NUMBER", switch=True),) + TWILIO_FIELDS
    number: str
    account_sid: str
    auth_token: str
    webhook_url: str
    api_url: str

    def __init__(self, **credentials: Any) -> None:
        super().__init__(**credentials)
        self.webhook_url = self.webhook_url.rstrip("/")

    def get_output_channel(self) -> TwilioSmsOutput:
        return self.output_class(self.account_sid, self.auth_token, self.number, self.api_url)

    def signed_url(self, request: Request) -> str:
        """The URL Twilio called: the configured public address plus this route, or as received."""
        if not self.webhook_url:
            return request.url
        query = f"?{request.query_string}" if request.query_string else ""
        return f"{self.webhook_url}{request.path}{query}"

    def add_routes(self, blueprint: Blueprint, on_new_message: OnNewMessage) -> None:
        async def webhook(request: Request) -> HTTPResponse:
            form = {name: values for name, values in request.form.items()}
            signature = request.headers.get("X-Twilio-Signature")
            if not twilio_signature_valid(self.auth_token, self.signed_url(request), form, signature):
                return refuse(self.channel_name, "X-Twilio-Signature does not match")
            sender, text = request.form.get("From"), request.form.get("Body")
            if not await shared_guard().first_time(self.channel_name, request.form.get("MessageSid")):
                return response.text(EMPTY_TWIML, content_type="text/xml")  # handled already: a replay
            if sender and text and text.strip():
                # Carriers corrupt "@" into "¡" in some SMS; the message id links to Twilio's logs.
                await self.hand_over(
                    request,
                    on_new_message,
                    sender,
                    text.replace("¡", "@"),
                    self.get_output_channel(),
                    metadata={"message_sid": request.form.get("MessageSid")},
                )
            return response.text(EMPTY_TWIML, content_type="text/xml")

        blueprint.add_route(webhook, "/webhook", methods=["POST"])


class TwilioWhatsAppInput(TwilioSmsInput):
    """WhatsApp messages to the practice's Twilio WhatsApp sender (``whatsapp:+44…``)."""

    channel_name = "whatsapp"
    output_class = TwilioWhatsAppOutput
    title = "WhatsApp (Twilio)"
    fields = (Field("number", "TWILIO_WHATSAPP_NUMBER", switch=True),) + TWILIO_FIELDS

    def __init__(self, **credentials: Any) -> None:
        super().__init__(**credentials)
        if not self.number.startswith("whatsapp:"):
            self.number = f"whatsapp:{self.number}"
