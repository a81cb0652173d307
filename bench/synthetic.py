"""Synthetic conversations shaped exactly like the events the bot stores.

Used by the benchmark seeder (``bench/console_seed.py``, 100,000+ conversations), the
console's tests and the screenshots, so none of them needs a trained model. The event
JSON follows what Rasa 3.6 writes for this assistant (user events with ``parse_data``,
bot events with ``metadata.utter_action``, the ``crisis_flagged`` slot); a test checks
the summary reads real stored conversations the same way.
"""

from __future__ import annotations

import json
import random
from typing import Any, Dict, List, Optional

from bot.content.topics import all_topics

_META = {"model_id": "synthetic", "assistant_id": "psychodynamic-therapy-faq"}
CHANNELS = (("rest", 45), ("socketio", 35), ("telegram", 12), ("twilio", 8))
_REPLIES = {
    "utter_greet": "Hello, I'm the automated assistant for the practice.",
    "utter_handoff": "You can speak to someone at the practice by calling free on 0808 101 0337.",
    "utter_crisis": "I'm really sorry you're going through this. Call 999, NHS 111 option 2, or Samaritans on 116 123.",
    "utter_not_sure": "Sorry, I'm not sure I've understood. You can call 0808 101 0337 to talk to someone.",
    "utter_still_not_sure": "I'm sorry I couldn't answer that. Call free on 0808 101 0337.",
    "utter_goodbye": "Take care.",
    "utter_you_are_welcome": "You're welcome. Is there anything else you'd like to know?",
    "utter_out_of_scope": "I'm sorry, I can only help with questions about psychodynamic therapy.",
}
UNANSWERABLE = (
    "do you take bupa insurance",
    "is there parking near the clinic",
    "can I bring my dog",
    "what's the waiting list like",
    "do you do EMDR",
    "can my GP refer me",
    "do you have evening appointments",
    "is the building wheelchair accessible",
    "how old are the therapists",
    "can I pay in instalments",
)
CRISIS_TEXTS = ("I want to kill myself", "i dont see the point any more", "I've been hurting myself again")


class ConversationBuilder:
    """Appends events for one sender, a few seconds apart, as the bot would store them."""

    def __init__(
        self, sender_id: str, start: float, channel: str = "rest", rng: Optional[random.Random] = None
    ) -> None:
        self.sender_id, self.now, self.channel = sender_id, start, channel
        self.rng = rng or random.Random(sender_id)  # seconds between messages, reproducibly
        self.events: List[Dict[str, Any]] = []
        self.action("action_session_start")
        self._add("session_started", {})
        self.action("action_listen")

    def _add(
        self,
        kind: str,
        data: Dict[str, Any],
        intent: Optional[str] = None,
        action: Optional[str] = None,
        step: float = 0.01,
    ) -> None:
        self.now += step
        body = {"event": kind, "timestamp": self.now, "metadata": dict(_META), **data}
        self.events.append(
            {
                "sender_id": self.sender_id,
                "type_name": kind,
                "timestamp": self.now,
                "intent_name": intent,
                "action_name": action,
                "data": body,
            }
        )

    def action(self, name: str) -> "ConversationBuilder":
        self._add("action", {"name": name, "policy": "RulePolicy", "confidence": 1.0}, action=name)
        return self

    def user(
        self,
        text: str,
        intent: str,
        confidence: float = 0.95,
        faq: Optional[str] = None,
        answer_confidence: Optional[float] = None,
        safety_net: bool = False,
        risk: Optional[Dict[str, Any]] = None,
        page: Optional[str] = None,
        entities: Optional[Dict[str, str]] = None,
    ) -> "ConversationBuilder":
        intent_data: Dict[str, Any] = {"name": intent, "confidence": confidence}
        found = [{"entity": name, "value": value} for name, value in (entities or {}).items()]
        parse: Dict[str, Any] = {
            "intent": intent_data,
            "entities": found,
            "text": text,
            "metadata": {},
            "intent_ranking": [dict(intent_data)],
        }
        if faq:
            intent_data["full_retrieval_intent_name"] = f"faq/{faq}"
            parse["response_selector"] = {
                "all_retrieval_intents": ["faq"],
                "faq": {
                    "response": {
                        "confidence": answer_confidence if answer_confidence is not None else confidence,
                        "intent_response_key": f"faq/{faq}",
                        "utter_action": f"utter_faq/{faq}",
                    }
                },
            }
        if safety_net:
            parse["crisis_safety_net"] = {
                "triggered_by": "rules",
                "categories": ["suicide"],
                "phrases": [],
                "overruled_intent": intent,
            }
        if risk is not None:  # the NLU's risk assessment, as the risk component writes it
            parse["risk"] = risk
        metadata = {**_META, **({"page": page} if page else {})}
        self._add(
            "user",
            {"text": text, "parse_data": parse, "input_channel": self.channel, "metadata": metadata},
            intent=intent,
            step=self.rng.uniform(5, 40),
        )
        self._add("user_featurization", {"use_text_for_featurization": False})
        return self

    def reply(
        self, utter_action: str, text: Optional[str] = None, buttons: Optional[List[Dict[str, str]]] = None
    ) -> "ConversationBuilder":
        action = utter_action.split("/")[0]
        self.action(action)
        text = text or _REPLIES.get(utter_action) or f"Here is what I can tell you ({utter_action})."
        body: Dict[str, Any] = {"text": text, "metadata": {"utter_action": utter_action}}
        if buttons:
            body["data"] = {
                "elements": None,
                "quick_replies": None,
                "buttons": buttons,
                "attachment": None,
                "image": None,
                "custom": None,
            }
        self._add("bot", body)
        return self

    def opened(self, page: str = "/") -> "ConversationBuilder":
        """The widget opening: it sends /greet with the page the visitor is on."""
        return self.user("/greet", "greet", 1.0, page=page).reply("utter_greet").listen()

    def check_in(self, text: str, score: float = 0.55, kinds: tuple = ("low_mood",)) -> "ConversationBuilder":
        """A message the risk check scored in the check-in band, answered with a check-in."""
        risk = {"level": "check_in", "score": score, "kinds": list(kinds), "triggered_by": "encoder"}
        return self.user(text, "share_difficulty", 0.9, risk=risk).reply("utter_check_in").listen()

    def listen(self) -> "ConversationBuilder":
        return self.action("action_listen")

    def faq(self, text: str, topic: str, confidence: float = 0.95, answer_confidence: float = 0.9):
        return (
            self.user(text, "faq", confidence, faq=topic, answer_confidence=answer_confidence)
            .reply(f"utter_faq/{topic}")
            .listen()
        )

    def vote(self, topic: str, helpful: bool):
        """A vote on the answer about ``topic`` (the widget's thumbs, or "1"/"2" on a text channel)."""
        value = "yes" if helpful else "no"
        payload = f'/feedback{{"rated_topic":"{topic}","helpful":"{value}"}}'
        return (
            self.user(payload, "feedback", 1.0, entities={"rated_topic": topic, "helpful": value})
            .reply("utter_feedback_thanks", "Thank you for your feedback.")
            .listen()
        )

    def fallback(self, text: str, second: bool = False, confidence: float = 0.2):
        self.user(text, "nlu_fallback", confidence)
        if second:
            return self.reply("utter_still_not_sure").listen()
        return self.reply("utter_not_sure").action("action_suggest_topics").listen()

    def crisis(self, text: str):
        self.user(text, "crisis", 0.99, safety_net=True).reply("utter_crisis").action("action_flag_crisis")
        self._add("slot", {"name": "crisis_flagged", "value": True})
        return self.listen()

    def said(self, text: str, intent: str, reply: str):
        return self.user(text, intent, 0.97).reply(reply).listen()

    def rows(self) -> List[Dict[str, Any]]:
        """Rows for the ``events`` table (``data`` as JSON text, as Rasa stores it)."""
        return [{**event, "data": json.dumps(event["data"])} for event in self.events]


def _question(rng: random.Random, topic_id: str) -> str:
    topic = all_topics()[topic_id]
    forms = (
        topic.question,
        topic.question.lower().rstrip("?"),
        f"tell me about {topic.title.lower()}",
        f"{topic.title.lower()}?",
    )
    return rng.choice(forms)


def random_conversation(rng: random.Random, sender_id: str, start: float) -> ConversationBuilder:
    """One plausible conversation: mostly FAQ questions, some not understood, a few crises."""
    channel = rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
    conv = ConversationBuilder(sender_id, start, channel, rng)
    topic_ids = list(all_topics())
    weights = [
        6 if t in ("referral", "cost", "what_is", "session") else 2 if t in ("duration", "format") else 1
        for t in topic_ids
    ]
    if rng.random() < 0.6:
        conv.said("hello", "greet", "utter_greet")
    for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
        topic = rng.choices(topic_ids, weights)[0]
        if rng.random() < 0.08:  # answered, but unsure
            conv.faq(_question(rng, topic), topic, rng.uniform(0.31, 0.49), rng.uniform(0.3, 0.9))
        else:
            conv.faq(_question(rng, topic), topic, rng.uniform(0.7, 0.999), rng.uniform(0.6, 0.999))
    if rng.random() < 0.12:
        conv.fallback(rng.choice(UNANSWERABLE), confidence=rng.uniform(0.05, 0.29))
        if rng.random() < 0.4:
            conv.fallback(rng.choice(UNANSWERABLE), second=True, confidence=rng.uniform(0.05, 0.29))
    if rng.random() < 0.1:
        conv.said("can I talk to a person", "request_human", "utter_handoff")
    if rng.random() < 0.03:
        conv.crisis(rng.choice(CRISIS_TEXTS))
    if rng.random() < 0.3:
        conv.said("thanks, bye", "goodbye", "utter_goodbye")
    return conv
