"""action_flag_crisis marks the conversation for staff and says nothing itself."""

import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.flag_crisis import ActionFlagCrisis


def test_sets_the_crisis_slot_silently():
    tracker = Tracker("visitor", {}, {"intent": {"name": "crisis"}}, [], False, None, {}, "utter_crisis")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionFlagCrisis().run(dispatcher, tracker, {}))
    assert events == [{"event": "slot", "timestamp": None, "name": "crisis_flagged", "value": True}]
    assert dispatcher.messages == []
