"""When the assistant is unsure, offer the likeliest topics as buttons.

Runs after ``utter_not_sure`` (data/rules.yml), which already apologises and gives the
phone line, so a visitor still gets a useful reply if the action server is down. A second
miss in a row is handled by a rule that offers the line (``utter_still_not_sure``).
"""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.content.topics import all_topics, something_else_button, suggestion_prompt

MAX_SUGGESTIONS = 3


def likeliest_topics(latest_message: Dict[Text, Any], limit: int = MAX_SUGGESTIONS) -> List[Text]:
    """FAQ topic ids, best first, as the response selector ranked them for the message."""
    ranking = (latest_message.get("response_selector") or {}).get("faq", {}).get("ranking", [])
    known = all_topics()
    topic_ids: List[Text] = []
    for candidate in ranking:
        topic_id = (candidate.get("intent_response_key") or "").partition("/")[2]
        if topic_id in known and topic_id not in topic_ids:
            topic_ids.append(topic_id)
    return topic_ids[:limit]


class ActionSuggestTopics(Action):
    def name(self) -> Text:
        return "action_suggest_topics"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        topics = all_topics()
        buttons = [topics[topic_id].as_button() for topic_id in likeliest_topics(tracker.latest_message)]
        buttons.append(something_else_button())
        dispatcher.utter_message(text=suggestion_prompt(), buttons=buttons)
        return []
