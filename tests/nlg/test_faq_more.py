"""The "Tell me more" button and the second parts' content."""

import asyncio

import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from bot.content.topics import all_topics
from bot.nlg.faq_more import MORE_PAYLOAD, FaqResponseGenerator, more_response
from bot.settings import PROJECT_ROOT
from tests.support.project import source_catalogue

MORE_FILE = PROJECT_ROOT / "data" / "responses" / "faq_more.yml"
MORE = yaml.safe_load(MORE_FILE.read_text())["responses"]
FAQ = yaml.safe_load((PROJECT_ROOT / "data" / "responses" / "faq.yml").read_text())["responses"]


def generate(name):
    domain = Domain.from_dict({"responses": {**FAQ, **MORE}})
    generator = FaqResponseGenerator(domain=domain)
    return asyncio.run(generator.generate(name, DialogueStateTracker("visitor", []), "rest"))


def test_a_longer_answer_offers_tell_me_more():
    message = generate("utter_faq/evidence")
    assert [b["payload"] for b in message["buttons"]].count(MORE_PAYLOAD) == 1
    assert message["buttons"][-1]["payload"] == MORE_PAYLOAD
    assert message["text"]


def test_other_answers_and_responses_get_no_button():
    for name in ("utter_faq/cost", "utter_no_more"):
        payloads = [b["payload"] for b in generate(name).get("buttons") or []]
        assert MORE_PAYLOAD not in payloads, name


def test_every_second_part_belongs_to_a_topic_and_names_its_sources():
    topics = all_topics()
    for name, variations in MORE.items():
        if name == "utter_no_more":
            continue
        topic = name.removeprefix("utter_more_")
        assert topic in topics and f"utter_faq/{topic}" in FAQ, name
        assert variations[0]["metadata"]["topic"] == topic
        assert variations[0]["metadata"]["sources"], name
        assert variations[0]["text"] not in FAQ[f"utter_faq/{topic}"][0]["text"]


def test_second_parts_cite_only_catalogued_sources():
    for name, variations in MORE.items():
        for source in variations[0].get("metadata", {}).get("sources", []):
            assert source in source_catalogue(), (name, source)


def test_more_response_names():
    assert more_response("faq/evidence") == "utter_more_evidence"
    assert more_response("greet") is None
    assert more_response(None) is None
