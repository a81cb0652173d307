"""End to end: follow-ups in context and "Tell me more", through the real Rasa and action servers."""

import pytest
import yaml

from bot.settings import PROJECT_ROOT, practice
from tests.e2e.test_rest_conversation import faq_answer, texts
from tests.support.servers import running_bot

pytestmark = pytest.mark.model

MORE = yaml.safe_load((PROJECT_ROOT / "data" / "responses" / "faq_more.yml").read_text())["responses"]


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    with running_bot(tmp_path_factory.mktemp("e2e-followups")) as running:
        yield running


def test_a_follow_up_after_an_answer_gets_the_topic_it_asks_about(bot):
    assert texts(bot.say("follow-1", "how long does psychodynamic therapy take")) == faq_answer("duration")
    assert texts(bot.say("follow-1", "what about online?")) == faq_answer("format")
    assert texts(bot.say("follow-1", "is that the same for couples?")) == faq_answer("related_therapies")


def test_tell_me_more_sends_the_second_part(bot):
    answer = bot.say("more-1", "does psychodynamic therapy actually work")
    assert texts(answer) == faq_answer("evidence")
    payloads = [b["payload"] for reply in answer for b in reply.get("buttons", [])]
    assert "/faq_more" in payloads
    more = bot.say("more-1", "/faq_more")
    assert texts(more) == MORE["utter_more_evidence"][0]["text"].format(**practice().template_values())
