"""Facebook Messenger: ``/webhooks/facebook/webhook`` (Rasa's usual path for Messenger).

Meta checks the webhook once with a GET carrying the practice's verify token, then posts
each page event as JSON signed in ``X-Hub-Signature-256`` with the app secret. Replies go
through the Send API. Messenger shows at most three buttons, with 20-character titles, so
longer option lists arrive as numbered text with quick replies underneath.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, Optional, Tuple

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import http
from bot.channels.base import MessagingInput, MessagingOutput, OnNewMessage, refuse
from bot.channels.credentials import Field
from bot.channels.rendering import Shaped, truncate
from bot.channels.signatures import facebook_signature_valid, same_secret

MAX_QUICK_REPLIES = 13
QUICK_REPLY_TITLE = 20


class MessengerOutput(MessagingOutput):
    channel_name = "facebook"
    id_namespace = "messenger"

    def __init__(self, page_access_token: str, api_url: str) -> None:
        super().__init__()
        self.page_access_token, self.api_url = page_access_token, api_url.rstrip("/")

    def message(self, text: str, shaped: Shaped, last: bool) -> Dict[str, Any]:
        """The Send API ``message`` for one text; the last one carries the options."""
        if not last or not shaped.options:
            return {"text": text}
        if shaped.native:
            return {
                "attachment": {
                    "type": "template",
                    "payload": {
                        "template_type": "button",
                        "text": text,
                        "buttons": [
                            {"type": "postback", "title": o.title, "payload": o.payload}
                            for o in shaped.options
                        ],
                    },
                }
            }
        # Too many options for buttons: the text lists them numbered; quick replies save typing.
        return {
            "text": text,
            "quick_replies": [
                {
                    "content_type": "text",
                    "title": truncate(f"{o.number}. {o.title}", QUICK_REPLY_TITLE),
                    "payload": o.payload,
                }
                for o in shaped.options[:MAX_QUICK_REPLIES]
            ],
        }

    async def send_shaped(self, recipient_id: str, shaped: Shaped) -> None:
        for index, text in enumerate(shaped.texts):
            await http.post(
                "Messenger Send API",
                f"{self.api_url}/me/messages",
                params={"access_token": self.page_access_token},
                json={
                    "recipient": {"id": recipient_id},
                    "messaging_type": "RESPONSE",
                    "message": self.message(text, shaped, index == len(shaped.texts) - 1),
                },
            )


def read_events(payload: Dict[str, Any]) -> Iterator[Tuple[str, str, Optional[str]]]:
    """``(sender PSID, text, message id)`` for each user message, quick reply or button tap."""
    if payload.get("object") != "page":
        return
    for entry in payload.get("entry") or []:
        for event in entry.get("messaging") or []:
            sender = (event.get("sender") or {}).get("id")
            message, postback = event.get("message") or {}, event.get("postback") or {}
            if message.get("is_echo"):
                continue  # the page's own replies come back as echoes
            text = (
                (message.get("quick_reply") or {}).get("payload")
                or message.get("text")
                or postback.get("payload")
            )
            if sender and text and text.strip():
                yield str(sender), text, message.get("mid") or postback.get("mid")


class MessengerInput(MessagingInput):
    channel_name = "facebook"
    id_namespace = "messenger"
    title = "Facebook Messenger"
    fields = (
        Field("page_access_token", "FACEBOOK_PAGE_ACCESS_TOKEN", secret=True, switch=True),
        Field("verify", "FACEBOOK_VERIFY", secret=True, attr="verify_token"),
        Field("secret", "FACEBOOK_SECRET", secret=True, attr="app_secret"),
        # Unversioned Graph API calls use the app's own version, so the default never expires.
        Field("api_url", "FACEBOOK_API_URL", default="https://graph.facebook.com"),
    )
    page_access_token: str
    verify_token: str
    app_secret: str
    api_url: str

    def get_output_channel(self) -> MessengerOutput:
        return MessengerOutput(self.page_access_token, self.api_url)

    def add_routes(self, blueprint: Blueprint, on_new_message: OnNewMessage) -> None:
        async def verify(request: Request) -> HTTPResponse:
            """Meta's one-off check when the webhook is added in the app dashboard."""
            if request.args.get("hub.mode") == "subscribe" and same_secret(
                request.args.get("hub.verify_token"), self.verify_token
            ):
                return response.text(request.args.get("hub.challenge") or "")
            return refuse(self.channel_name, "hub.verify_token does not match")

        async def webhook(request: Request) -> HTTPResponse:
            signature = request.headers.get("X-Hub-Signature-256")
            if not facebook_signature_valid(self.app_secret, request.body, signature):
                return refuse(self.channel_name, "X-Hub-Signature-256 does not match")
            payload = request.json if isinstance(request.json, dict) else {}
            for sender, text, message_id in read_events(payload):
                await self.hand_over(
                    request,
                    on_new_message,
                    sender,
                    text,
                    self.get_output_channel(),
                    metadata={"message_id": message_id},
                )
            return response.text("EVENT_RECEIVED")

        blueprint.add_route(verify, "/webhook", methods=["GET"])
        blueprint.add_route(webhook, "/webhook", methods=["POST"])
