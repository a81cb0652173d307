"""The topic contract in bot/content/topics.yml: complete on its own, and in step with the
upstream copy (../shared/docs/topics.md) and the source texts whenever those are present."""

import re

import pytest

from bot.content.topics import all_topics
from tests.support.project import SOURCES_DIR, TOPICS_MD, source_catalogue, upstream_contract


def test_five_sources_each_with_a_title_a_file_and_a_description():
    assert sorted(source_catalogue()) == ["000", "001", "002", "003", "004"]
    for source_id, entry in source_catalogue().items():
        assert re.fullmatch(rf"{source_id}_[0-9a-f]{{16}}\.txt", entry["file"]), entry["file"]
        assert entry["title"].strip() and len(entry["about"].split()) >= 8, source_id


def test_every_topic_rests_on_catalogued_sources_or_hands_off():
    for topic in all_topics().values():
        assert set(topic.sources) <= set(source_catalogue()), topic
        assert list(topic.sources) == sorted(set(topic.sources)), (
            f"{topic.id}: list each source once, in order"
        )
        assert topic.sources or topic.handoff, f"{topic.id}: no sources, so the answer must hand off"


@pytest.mark.skipif(
    not TOPICS_MD.is_file(), reason=f"upstream contract not found at {TOPICS_MD} (set SHARED_DIR)"
)
def test_same_topics_in_the_same_order_with_the_same_sources_as_upstream():
    upstream = upstream_contract()
    assert list(all_topics()) == list(upstream), "topic ids or their order differ from topics.md"
    ours = {topic.id: (set(topic.sources), topic.handoff) for topic in all_topics().values()}
    differing = {
        topic_id: (ours[topic_id], upstream[topic_id])
        for topic_id in ours
        if ours[topic_id] != upstream[topic_id]
    }
    assert not differing, f"(sources, handoff) here vs in topics.md: {differing}"


def test_the_sources_folder_holds_exactly_the_catalogued_files(sources):
    catalogued = {entry["file"] for entry in source_catalogue().values()}
    assert {path.name for path in SOURCES_DIR.glob("*.txt")} == catalogued
    assert set(sources) == set(source_catalogue())
