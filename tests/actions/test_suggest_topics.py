"""action_suggest_topics: likeliest topics as buttons, plus "Something else"."""

import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.suggest_topics import ActionSuggestTopics, likeliest_topics
from bot.content.topics import all_topics


def latest_message(*topic_ids):
    ranking = [{"intent_response_key": f"faq/{t}", "confidence": 0.1} for t in topic_ids]
    return {"intent": {"name": "nlu_fallback"}, "response_selector": {"faq": {"ranking": ranking}}}


def run_action(message):
    tracker = Tracker("visitor", {}, message, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionSuggestTopics().run(dispatcher, tracker, {}))
    return dispatcher.messages, events


def test_offers_the_three_likeliest_topics_and_something_else():
    messages, events = run_action(latest_message("cost", "referral", "duration", "format"))
    assert events == []
    [message] = messages
    titles = [button["title"] for button in message["buttons"]]
    topics = all_topics()
    assert titles == [
        topics["cost"].title,
        topics["referral"].title,
        topics["duration"].title,
        "Something else",
    ]
    assert message["buttons"][0]["payload"] == topics["cost"].question
    assert message["text"]


def test_unknown_and_duplicate_topics_are_skipped():
    assert likeliest_topics(latest_message("nonsense", "cost", "cost", "past")) == ["cost", "past"]


def test_without_a_ranking_it_still_offers_something_else():
    messages, _ = run_action({"intent": {"name": "nlu_fallback"}})
    assert [button["payload"] for button in messages[0]["buttons"]] == ["/help"]
