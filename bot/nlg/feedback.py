"""Visitor feedback on FAQ answers: a thumbs up or down (widget), "Was this helpful?" (text channels).

Every FAQ answer is rendered (inside the Rasa server) with ``metadata.feedback``: the topic it
answers and the two payloads a vote sends, ``/feedback{"rated_topic": "<id>", "helpful": "yes"}``
or ``"no"``. The widget draws them as two buttons under the answer. On text channels the
answer also carries ``ask`` (the question's text) the first time in a conversation, and the
connector sends the question after the answer; a reply of exactly "1" or "2" right after it
becomes the payload (``feedback_reply``), anything else is ordinary text, so a risky message
still reaches the crisis net. The vote reaches Rasa as a user message (intent ``feedback``,
rule: ``utter_feedback_thanks``), so it is stored in the tracker with the conversation and the
topic, never with visitor text, and the console reads it from there (``console/events.py``).

No feedback is offered once the crisis reply has been given in the conversation: never after
it, never instead of it.

The same generator offers text channels the callback request where the widget's menu would
(the hand-off and referral replies, when ``CALLBACK_KEY`` is set): a "Request a callback"
option that starts ``bot/channels/callback_flow.py``. The crisis reply never carries it.

Enabled in endpoints.yml: ``nlg: type: bot.nlg.feedback.FeedbackResponseGenerator``.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Optional, Text

from rasa.shared.core.events import ActionExecuted, BotUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels import callback_flow
from bot.channels.feedback import feedback_of, payload
from bot.channels.rendering import options_from
from bot.nlg.faq_more import FAQ_PREFIX, MORE_PREFIX, FaqResponseGenerator

QUESTION_RESPONSE = "utter_feedback_question"
CRISIS_RESPONSE = "utter_crisis"
# The connectors that ask the question in words (bot/channels/base.py); the widget has thumbs.
TEXT_CHANNELS = frozenset({"telegram", "sms", "whatsapp", "facebook", "slack"})
_TOPIC = re.compile(r"[a-z0-9_]{1,60}")
CALLBACK_REPLIES = frozenset({"utter_handoff", "utter_faq/referral"})  # where the callback is offered


def answered_topic(utter_action: Optional[str]) -> Optional[str]:
    """``utter_faq/cost`` or ``utter_more_cost`` -> ``cost``; anything else -> None."""
    for prefix in (FAQ_PREFIX, MORE_PREFIX):
        if utter_action and utter_action.startswith(prefix):
            topic = utter_action[len(prefix) :]
            return topic if _TOPIC.fullmatch(topic) else None
    return None


def crisis_given(tracker: DialogueStateTracker) -> bool:
    return bool(tracker.get_slot("crisis_flagged")) or any(
        isinstance(e, ActionExecuted) and e.action_name == CRISIS_RESPONSE for e in tracker.events
    )


def asked_before(tracker: DialogueStateTracker) -> bool:
    return any(isinstance(e, BotUttered) and feedback_of(e).get("ask") for e in tracker.events)


class FeedbackResponseGenerator(FaqResponseGenerator):
    """The FAQ response generator, with the feedback block on every FAQ answer."""

    async def generate(
        self, utter_action: Text, tracker: DialogueStateTracker, output_channel: Text, **kwargs: Any
    ) -> Optional[Dict[Text, Any]]:
        message = await super().generate(utter_action, tracker, output_channel, **kwargs)
        if (
            message is not None
            and utter_action in CALLBACK_REPLIES
            and output_channel in TEXT_CHANNELS
            and callback_flow.shared_flow() is not None
        ):
            button = {"title": callback_flow.texts()["button"], "payload": callback_flow.START_PAYLOAD}
            message = {**message, "buttons": list(message.get("buttons") or []) + [button]}
        topic = answered_topic(utter_action)
        if message is None or topic is None or crisis_given(tracker):
            return message
        feedback: Dict[str, Any] = {"topic": topic, "yes": payload(topic, True), "no": payload(topic, False)}
        # Ask in words once per conversation, and only after an answer with no options of its
        # own (links, such as the phone line, are not options), so "1" and "2" can mean nothing
        # else (a "Tell me more" answer asks after its second part).
        if (
            output_channel in TEXT_CHANNELS
            and not options_from(message.get("buttons") or [])
            and not asked_before(tracker)
        ):
            question = await super().generate(QUESTION_RESPONSE, tracker, output_channel, **kwargs)
            if question and question.get("text"):
                feedback["ask"] = question["text"]
        return {**message, "metadata": {**(message.get("metadata") or {}), "feedback": feedback}}
