""" "Tell me more": the second part of the last answer, where the topic has one.

The button is added under the first answer by bot/nlg/faq_more.py; the second parts are in
data/responses/faq_more.yml as ``utter_more_<topic id>``. The topic is the one the visitor
was last answered on, worked out from the stored parses exactly as the follow-up action
does, so a follow-up's answer can be extended too.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answer_followup import answered_topic, user_parses
from bot.nlg.faq_more import more_response

MORE_INTENT = "faq_more"
NO_MORE = "utter_no_more"


class ActionTellMore(Action):
    def name(self) -> Text:
        return "action_tell_more"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        # The last user messages before this request ("Tell me more" itself, possibly pressed twice).
        parses = user_parses(tracker.events)
        while parses and (parses[-1].get("intent") or {}).get("name") == MORE_INTENT:
            parses.pop()
        topic = answered_topic(parses)
        responses = (domain or {}).get("responses") or {}
        name = more_response(topic) if topic else None
        dispatcher.utter_message(response=name if name and (not responses or name in responses) else NO_MORE)
        return []
