"""Follow-ups after an answer reach a right topic, with the trained model and the follow-up action's choice."""

import asyncio

import pytest

from actions.answer_followup import answered_topic, followup_ranking, is_sure
from bot.settings import PROJECT_ROOT

MODEL = PROJECT_ROOT / "models" / "current.tar.gz"

pytestmark = pytest.mark.model

# (question answered first, follow-up, acceptable topics for the follow-up in that context)
CONVERSATIONS = [
    ("how much does therapy cost", "what about for teenagers?", {"children", "cost"}),
    ("how do i get referred", "and how long does that take?", {"referral", "duration"}),
    ("what happens in a session", "is that the same for couples?", {"related_therapies"}),
    ("how long does psychodynamic therapy take", "what about online?", {"format"}),
    (
        "can children have this kind of therapy",
        "and is it confidential for them too?",
        {"confidentiality", "children"},
    ),
]


@pytest.fixture(scope="module")
def agent():
    if not MODEL.exists():
        pytest.skip("no trained model: run `make train`")
    from rasa.core.agent import Agent

    return Agent.load(str(MODEL))


@pytest.mark.parametrize("question, followup, acceptable", CONVERSATIONS)
def test_follow_up_after_an_answer(agent, question, followup, acceptable):
    first = asyncio.run(agent.parse_message(question))
    second = asyncio.run(agent.parse_message(followup))
    assert first["intent"]["name"] == "faq"
    assert second["intent"]["name"] == "faq_followup"
    ranking = followup_ranking(second, answered_topic([first]))
    assert is_sure(ranking), ranking[:2]
    assert ranking[0][0].partition("/")[2] in acceptable, ranking[:2]


@pytest.mark.parametrize("text", ["what about if i want to end it all?", "and what if i hurt myself again?"])
def test_a_risky_message_shaped_like_a_follow_up_is_still_crisis(agent, text):
    assert asyncio.run(agent.parse_message(text))["intent"]["name"] == "crisis"
