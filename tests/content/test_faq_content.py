"""The curated answers: one per contract topic, sourced, chat-sized, and claiming nothing unsupported."""

import re

import pytest

from bot.content.topics import all_topics
from bot.settings import practice
from tests.support.project import contract_topic_ids, faq_responses, handoff_topics, source_catalogue

MAX_WORDS = 120
# Topics whose sources are silent, in whole or in part: the answer must say so and offer the
# line, as text and as a call button.
HANDOFF_TOPICS = handoff_topics() | {"related_therapies", "duration"}


def answer(topic_id):
    return faq_responses()[f"utter_faq/{topic_id}"][0]


def test_every_contract_topic_has_exactly_one_answer():
    assert sorted(key.split("/", 1)[1] for key in faq_responses()) == sorted(contract_topic_ids())


@pytest.mark.parametrize("topic_id", contract_topic_ids())
def test_answer_records_its_sources_and_they_exist(topic_id):
    sources = answer(topic_id)["metadata"]["sources"]
    assert answer(topic_id)["metadata"]["topic"] == topic_id
    assert set(sources) <= set(source_catalogue()), f"unknown source in {sources}"
    if all_topics()[topic_id].sources:  # not e.g. fees: the sources say nothing
        assert sources, "an answer must name the seed files it rests on"


@pytest.mark.parametrize("topic_id", contract_topic_ids())
def test_answer_is_chat_sized(topic_id):
    words = re.findall(r"[\w'’-]+", answer(topic_id)["text"])
    assert 15 <= len(words) <= MAX_WORDS


@pytest.mark.parametrize("topic_id", sorted(HANDOFF_TOPICS | {"referral"}))
def test_handoff_topics_offer_the_phone_line(topic_id):
    assert "{practice_phone}" in answer(topic_id)["text"]
    assert [button["url"] for button in answer(topic_id).get("buttons", [])] == ["tel:{practice_phone_tel}"]


@pytest.mark.parametrize("topic_id", contract_topic_ids())
def test_every_number_in_an_answer_is_in_the_sources_or_configuration(topic_id, sources):
    text = answer(topic_id)["text"]
    corpus = " ".join(sources.values()) + " " + " ".join(practice().template_values().values())
    for number in re.findall(r"\d[\d ,.]*\d|\d", text):
        assert number.strip() in corpus, f"{number!r} appears in no source"


@pytest.mark.parametrize("topic_id", contract_topic_ids())
def test_named_studies_are_the_ones_in_the_sources(topic_id, sources):
    text = answer(topic_id)["text"]
    corpus = " ".join(sources.values())
    # "Surname (2010)", "Surname 2010", "Surname & Other 2014"
    for surname in re.findall(r"([A-Z][a-z]+)(?: (?:&|and) [A-Z][a-z]+)?,? \(?(?:19|20)\d\d", text):
        assert surname in corpus, f"study by {surname} is not in the sources"


@pytest.mark.parametrize("topic_id", contract_topic_ids())
def test_phone_numbers_come_only_from_configuration(topic_id):
    text = answer(topic_id)["text"]
    assert not re.search(r"\b0\d{3} ?\d{3} ?\d{3,4}\b", text), "write {practice_phone}, not the number"
    placeholders = set(re.findall(r"{(\w+)}", text))
    assert placeholders <= set(practice().template_values())
