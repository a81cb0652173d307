"""Answers a short follow-up ("what about online?") in the context of the previous topic.

The NLU marks such a message ``faq_followup`` (bot/nlu/faq_gate.py) and stores, for every
topic, how the selector ranks the follow-up read after that topic's question
(``faq_context``, bot/nlu/followup.py). If the follow-up is sure of a topic on its
own, that topic is answered (it names something new); otherwise the action finds the topic
the visitor was last answered on and takes the ranking made in that context. It answers if
that is sure enough, else it offers the likeliest topics, like the "not sure" reply.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.content.topics import all_topics, something_else_button, suggestion_prompt
from bot.nlu.followup import CONTEXT_KEY
from bot.nlu.topic_test import configured_gate
from bot.nlu.topic_test import is_sure as gate_is_sure

FAQ_INTENT = "faq"
FOLLOWUP_INTENT = "faq_followup"
MAX_SUGGESTIONS = 3

Ranking = List[Tuple[str, float]]


def own_ranking(parse: Dict[Text, Any]) -> Ranking:
    selector = (parse.get("response_selector") or {}).get(FAQ_INTENT) or {}
    return [
        (c.get("intent_response_key") or "", float(c.get("confidence") or 0.0))
        for c in selector.get("ranking") or []
    ]


def followup_ranking(parse: Dict[Text, Any], previous_topic: Optional[str]) -> Ranking:
    """The ranking a follow-up is answered from.

    A follow-up that names something new ("what about online?", "is that the same for
    couples?") is sure of a topic on its own, and that topic wins. One that only makes
    sense after the previous answer ("and what does that involve?") is read in the
    previous topic's context. With no previous topic, its own ranking."""
    own = own_ranking(parse)
    context = (parse.get(CONTEXT_KEY) or {}).get(previous_topic or "")
    if not context or is_sure(own):
        return own
    return [(key, float(conf)) for key, conf in context]


def is_sure(ranking: Ranking) -> bool:
    """The NLU gate's own test, with its thresholds from config.yml: sure enough, and ahead."""
    return gate_is_sure(ranking, *configured_gate())


def answered_topic(parses: List[Dict[Text, Any]]) -> Optional[str]:
    """The topic (``faq/<id>``) the last of these user messages was answered with, if any.

    ``parses`` are the conversation's user messages, oldest first. An FAQ message was
    answered with its top topic; a follow-up with what this action chose for it, which is
    worked out again the same way (a pure function of what is stored)."""
    if not parses:
        return None
    parse = parses[-1]
    intent = (parse.get("intent") or {}).get("name")
    if intent == FAQ_INTENT:
        ranking = own_ranking(parse)
        return ranking[0][0] if ranking else None
    if intent == FOLLOWUP_INTENT:
        ranking = followup_ranking(parse, answered_topic(parses[:-1]))
        return ranking[0][0] if is_sure(ranking) else None
    return None


def user_parses(events: Iterable[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    """Parse data of the user messages since the session started, oldest first."""
    parses: List[Dict[Text, Any]] = []
    for event in events:
        if event.get("event") == "session_started":
            parses = []
        elif event.get("event") == "user":
            parses.append(event.get("parse_data") or {})
    return parses


class ActionAnswerFollowup(Action):
    def name(self) -> Text:
        return "action_answer_followup"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        parses = user_parses(tracker.events)
        previous = answered_topic(parses[:-1])
        ranking = followup_ranking(tracker.latest_message, previous)
        if is_sure(ranking):
            dispatcher.utter_message(response=f"utter_{ranking[0][0]}")
            return []
        topics = all_topics()
        buttons: List[Dict[str, str]] = []
        for key, _ in ranking:
            topic_id = key.partition("/")[2]
            if topic_id in topics and len(buttons) < MAX_SUGGESTIONS:
                buttons.append(topics[topic_id].as_button())
        buttons.append(something_else_button())
        dispatcher.utter_message(response="utter_not_sure")
        dispatcher.utter_message(text=suggestion_prompt(), buttons=buttons)
        return []
