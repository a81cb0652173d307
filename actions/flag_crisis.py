"""Marks a conversation as a crisis so staff reviewing conversations find it first."""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher


class ActionFlagCrisis(Action):
    """Runs after the crisis reply (a crisis the detectors found, or a check-in answered yes);
    says nothing, so the crisis reply stands alone. The reply, its wording and the duty alert
    do not depend on this action: they happen inside the Rasa server (bot/policies, bot/alerts)."""

    def name(self) -> Text:
        return "action_flag_crisis"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        return [SlotSet("crisis_flagged", True)]
