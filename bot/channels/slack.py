"""Slack: ``/webhooks/slack/webhook`` for both Events API and interactivity (button clicks).

Slack signs every request with the app's signing secret (``X-Slack-Signature``, with a
timestamp so an old request cannot be replayed). Direct messages are answered in the DM;
an @-mention in a channel is answered in a thread under it. Slack resends an event it
thinks timed out (``X-Slack-Retry-Num``); the first delivery is still being answered, so
resends are acknowledged and dropped rather than answered twice.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any, Dict, Optional, Tuple

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import http
from bot.channels.base import MessagingInput, MessagingOutput, OnNewMessage, refuse
from bot.channels.credentials import Field
from bot.channels.rendering import Shaped
from bot.channels.replay import shared_guard
from bot.channels.signatures import slack_signature_valid

logger = logging.getLogger(__name__)

_MENTION = re.compile(r"<@[A-Z0-9]+(\|[^>]*)?>")


def escape(text: str) -> str:
    """Slack reads ``&``, ``<`` and ``>`` as markup (links, mentions); show them as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class SlackOutput(MessagingOutput):
    channel_name = "slack"
    id_namespace = "slack"

    def __init__(self, token: str, api_url: str, channel: str, thread_ts: Optional[str] = None) -> None:
        super().__init__()
        self.token, self.api_url = token, api_url.rstrip("/")
        self.channel, self.thread_ts = channel, thread_ts

    def blocks(self, text: str, shaped: Shaped, last: bool) -> list:
        blocks: list = [{"type": "section", "text": {"type": "mrkdwn", "text": escape(text)}}]
        if last and shaped.native:
            blocks.append(
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "text": {"type": "plain_text", "text": o.title},
                            "value": o.payload,
                            "action_id": f"option_{o.number}",
                        }
                        for o in shaped.options
                    ],
                }
            )
        return blocks

    async def send_shaped(self, recipient_id: str, shaped: Shaped) -> None:
        for index, text in enumerate(shaped.texts):
            payload: Dict[str, Any] = {
                "channel": self.channel or recipient_id,
                "text": escape(text),  # shown in notifications; blocks are what the chat shows
                "blocks": self.blocks(text, shaped, index == len(shaped.texts) - 1),
            }
            if self.thread_ts:
                payload["thread_ts"] = self.thread_ts
            answer = await http.post(
                "Slack chat.postMessage",
                f"{self.api_url}/chat.postMessage",
                json=payload,
                headers={"Authorization": f"Bearer {self.token}"},
            )
            if isinstance(answer, dict) and not answer.get("ok"):  # Slack reports errors with HTTP 200
                logger.error("Slack chat.postMessage failed: %s", answer.get("error"))


def read_event(body: Dict[str, Any]) -> Optional[Tuple[str, str, str, Optional[str]]]:
    """``(user, channel, text, thread)`` of a person's DM or @-mention, else None (bots, edits...)."""
    event = body.get("event") or {}
    if body.get("type") != "event_callback" or event.get("bot_id") or event.get("subtype"):
        return None
    is_dm = event.get("type") == "message" and event.get("channel_type") == "im"
    if not (is_dm or event.get("type") == "app_mention"):
        return None
    text = _MENTION.sub("", event.get("text") or "").strip()
    user, channel = event.get("user"), event.get("channel")
    if not (user and channel and text):
        return None
    thread = event.get("thread_ts") or (None if is_dm else event.get("ts"))
    return user, channel, text, thread


def read_click(payload: Dict[str, Any]) -> Optional[Tuple[str, str, str, Optional[str]]]:
    """``(user, channel, option payload, thread)`` of a click on one of our option buttons."""
    actions = payload.get("actions") or []
    if payload.get("type") != "block_actions" or not actions or not actions[0].get("value"):
        return None
    user, channel = (payload.get("user") or {}).get("id"), (payload.get("channel") or {}).get("id")
    thread = (payload.get("container") or {}).get("thread_ts")
    return (user, channel, actions[0]["value"], thread) if user and channel else None


def delivery_id(request: Request) -> Optional[str]:
    """Slack's ``event_id`` for an event; a click has none, so its signature (unique per request)."""
    try:
        body = request.json if (request.content_type or "").startswith("application/json") else None
    except Exception:  # noqa: BLE001 - not JSON: the handler below refuses it
        body = None
    if isinstance(body, dict) and body.get("event_id"):
        return f"event:{body['event_id']}"
    return request.headers.get("X-Slack-Signature")


class SlackInput(MessagingInput):
    channel_name = "slack"
    id_namespace = "slack"
    title = "Slack"
    fields = (
        Field("token", "SLACK_TOKEN", secret=True, switch=True),
        Field("signing_secret", "SLACK_SIGNING_SECRET", secret=True),
        Field("api_url", "SLACK_API_URL", default="https://slack.com/api"),
    )
    token: str
    signing_secret: str
    api_url: str

    def add_routes(self, blueprint: Blueprint, on_new_message: OnNewMessage) -> None:
        async def webhook(request: Request) -> HTTPResponse:
            if not slack_signature_valid(
                self.signing_secret,
                request.headers.get("X-Slack-Request-Timestamp"),
                request.body,
                request.headers.get("X-Slack-Signature"),
            ):
                return refuse(self.channel_name, "X-Slack-Signature does not match or is stale")
            if request.headers.get("X-Slack-Retry-Num"):
                return response.text("")
            if not await shared_guard().first_time(self.channel_name, delivery_id(request)):
                return response.text("")  # the same delivery again: acknowledged, not answered
            if (request.content_type or "").startswith("application/x-www-form-urlencoded"):
                try:
                    read = read_click(json.loads(request.form.get("payload") or "{}"))
                except ValueError:
                    read = None
            else:
                body = request.json if isinstance(request.json, dict) else {}
                if body.get("type") == "url_verification":  # Slack's check when the URL is saved
                    return response.json({"challenge": body.get("challenge")})
                read = read_event(body)
            if read:
                user, channel, text, thread = read
                output = SlackOutput(self.token, self.api_url, channel, thread)
                await self.hand_over(
                    request, on_new_message, user, text, output, metadata={"slack_channel": channel}
                )
            return response.text("")

        blueprint.add_route(webhook, "/webhook", methods=["POST"])
