"""End to end: the real Rasa and action servers hold a multi-turn conversation over REST."""

import pytest
import sqlalchemy as sa

from bot.settings import practice
from tests.support.project import domain, faq_responses
from tests.support.servers import running_bot

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    with running_bot(tmp_path_factory.mktemp("e2e")) as running:
        yield running


def texts(replies):
    # Rasa's REST channel sends each paragraph ("\n\n") of a reply as its own message.
    return "\n\n".join(reply["text"] for reply in replies if reply.get("text"))


def render(response_name):
    """The response's variant without a condition (for utter_crisis: the person at risk)."""
    template = next(v for v in domain()["responses"][response_name] if not v.get("condition"))["text"]
    return template.format(**practice().template_values())


def faq_answer(topic_id):
    """The curated answer as a visitor sees it, practice details filled in."""
    return faq_responses()[f"utter_faq/{topic_id}"][0]["text"].format(**practice().template_values())


def test_a_visitor_conversation_greeting_faq_referral_crisis(bot):
    phone = practice().phone

    greeting = bot.say("visitor-1", "hello")
    assert "automated assistant" in texts(greeting)
    assert any(reply.get("buttons") for reply in greeting), "greeting offers topic buttons"

    answer = bot.say("visitor-1", "can therapy make me feel worse?")
    assert texts(answer) == faq_answer("side_effects")

    referral = bot.say("visitor-1", "how do i get referred")
    assert texts(referral) == faq_answer("referral")
    assert phone in texts(referral)
    assert referral[-1]["buttons"][0]["payload"] == f"tel:{practice().phone_tel}"

    crisis = bot.say("visitor-1", "i don't see the point any more")
    crisis_text = texts(crisis)
    for number in (practice().crisis_samaritans, practice().crisis_emergency, practice().crisis_shout_text):
        assert number in crisis_text
    assert crisis_text == render("utter_crisis"), "the crisis reply stands alone in its turn"


def test_conversation_is_stored_with_the_crisis_flag(bot):
    bot.say("visitor-2", "I want to kill myself")
    engine = sa.create_engine(bot.db_url)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "select type_name, intent_name, action_name, data from events where sender_id = :s order by id"
            ),
            {"s": "rest:visitor-2"},  # REST's namespace (bot/channels/ids.py)
        ).fetchall()
    assert any(row.intent_name == "crisis" for row in rows)
    assert any(row.action_name == "action_flag_crisis" for row in rows)
    assert any(
        row.type_name == "slot" and '"crisis_flagged"' in row.data and "true" in row.data for row in rows
    )


def test_not_understood_twice_offers_topics_then_the_line(bot):
    first = bot.say("visitor-3", "snorkel jabberwock tiddle")
    assert any(len(reply.get("buttons", [])) >= 2 for reply in first), "topic suggestions as buttons"
    second = bot.say("visitor-3", "qpzm xkcv bnrt")
    assert practice().phone in texts(second)
    assert all(reply.get("text") or reply.get("buttons") for reply in first + second), "no empty replies"
