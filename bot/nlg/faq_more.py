"""The "Tell me more" button under a longer answer.

An answer is ``utter_faq/<id>`` (data/responses/faq.yml); when a second part
``utter_more_<id>`` exists (data/responses/faq_more.yml), the answer's last message gets a
"Tell me more" button that sends ``/faq_more`` (answered by actions/tell_more.py). This is
done where responses are rendered (inside the Rasa server) so the answers' YAML stays
content only. Enabled in endpoints.yml: ``nlg: type: bot.nlg.faq_more.FaqResponseGenerator``.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.shared.core.trackers import DialogueStateTracker

from bot.nlg.practice import PracticeResponseGenerator

FAQ_PREFIX = "utter_faq/"
MORE_PREFIX = "utter_more_"
MORE_PAYLOAD = "/faq_more"
MORE_TITLE = "Tell me more"


def more_response(topic_key: Optional[str]) -> Optional[str]:
    """``faq/fees`` -> ``utter_more_fees`` (whether or not it exists)."""
    if not topic_key or not topic_key.startswith("faq/"):
        return None
    return MORE_PREFIX + topic_key.partition("/")[2]


class FaqResponseGenerator(PracticeResponseGenerator):
    """The practice's response generator, plus the "Tell me more" button."""

    async def generate(
        self, utter_action: Text, tracker: DialogueStateTracker, output_channel: Text, **kwargs: Any
    ) -> Optional[Dict[Text, Any]]:
        message = await super().generate(utter_action, tracker, output_channel, **kwargs)
        if message is not None and utter_action.startswith(FAQ_PREFIX):
            more = more_response("faq/" + utter_action[len(FAQ_PREFIX) :])
            if more in self.responses:
                buttons = list(message.get("buttons") or [])
                buttons.append({"title": MORE_TITLE, "payload": MORE_PAYLOAD})
                message = {**message, "buttons": buttons}
        return message
