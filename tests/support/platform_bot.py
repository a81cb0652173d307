"""The assistant with every messaging channel on, and helpers to talk to it as the platforms do.

``tests/channels/conftest.py`` starts it once per session; the environment below is what a
practice would set, pointed at the fake platform APIs in ``fake_platforms.py``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, List, Tuple

import requests

from tests.support.fake_platforms import FakePlatforms
from tests.support.servers import RunningBot

PUBLIC_URL = "https://bot.practice.example.org.uk"  # where the platforms would call, behind a proxy
SECRETS = {
    "TELEGRAM_SECRET_TOKEN": "telegram_webhook_secret-123",
    "FACEBOOK_VERIFY": "practice-verify-token",
    "FACEBOOK_SECRET": "facebook-app-secret",
    "SLACK_SIGNING_SECRET": "slack-signing-secret",
}
# The callback request on text channels is on, as a practice offering callbacks would set it.
CALLBACK_KEY = "m7DCfDxkL1cEkxsB7bpNR4Tq3b4vTW0fx3Pn1xq4yDk="
# Makes the hand-off answer (it includes the hours) longer than any channel's message limit.
LONG_HOURS = "Opening times change through the year, so please check the website before you call. " * 55


def channel_env(fake: FakePlatforms) -> Dict[str, str]:
    tokens = fake.tokens
    return {
        **SECRETS,
        "TELEGRAM_TOKEN": tokens.telegram,
        "TELEGRAM_WEBHOOK_URL": f"{PUBLIC_URL}/webhooks/telegram/webhook",
        "TELEGRAM_API_URL": fake.url("telegram"),
        "TWILIO_ACCOUNT_SID": tokens.twilio_sid,
        "TWILIO_AUTH_TOKEN": tokens.twilio_token,
        "TWILIO_NUMBER": "+447700900000",
        "TWILIO_WHATSAPP_NUMBER": "whatsapp:+14155238886",
        "TWILIO_WEBHOOK_URL": PUBLIC_URL,
        "TWILIO_API_URL": fake.url("twilio"),
        "FACEBOOK_PAGE_ACCESS_TOKEN": tokens.facebook,
        "FACEBOOK_API_URL": fake.url("facebook"),
        "SLACK_TOKEN": tokens.slack,
        "SLACK_API_URL": fake.url("slack"),
        "PRACTICE_HOURS": LONG_HOURS.strip(),
        "CALLBACK_KEY": CALLBACK_KEY,
    }


@dataclass
class Platforms:
    bot: RunningBot
    fake: FakePlatforms
    env: Dict[str, str]

    def post(self, channel: str, **kwargs: Any) -> requests.Response:
        """A request to the channel's webhook on the running Rasa server."""
        return requests.post(f"{self.bot.rasa_url}/webhooks/{channel}/webhook", timeout=60, **kwargs)

    def user_events(self, sender: str) -> List[Dict[str, Any]]:
        """The stored user messages of ``sender`` (event data: text, input_channel, metadata)."""
        return [json.loads(row.data) for row in self._events(sender) if row.type_name == "user"]

    def event_count(self, sender: str) -> int:
        return len(self._events(sender))

    def _events(self, sender: str) -> list:
        """Every channel files ``sender`` under its own namespace (bot/channels/ids.py)."""
        from bot.channels.ids import NAMESPACES

        return [row for namespace in NAMESPACES for row in self.bot.stored(f"{namespace}:{sender}")]

    def rest_answer(self, sender: str, text: str) -> str:
        """What the web channel answers, to compare with another channel's answer."""
        return self.rest_reply(sender, text)[0]

    def rest_reply(self, sender: str, text: str) -> Tuple[str, List[Dict[str, Any]]]:
        """The web channel's answer: its text (normalised) and every button it offers, in order."""
        replies = self.bot.say(sender, text)
        buttons = [button for reply in replies for button in reply.get("buttons") or []]
        return normalise(" ".join(reply.get("text", "") for reply in replies)), buttons


def handoff_links() -> str:
    """The hand-off answer's link buttons as a channel without link buttons writes them out."""
    from bot.settings import practice

    return f"Call {practice().phone} Opening hours: {practice().hours_url}"


def normalise(text: str) -> str:
    return " ".join(text.split())
