"""console/db/unanswered.py: grouped unanswered questions, filing, NLU export."""

from zoneinfo import ZoneInfo

import yaml

from console.db import summary, unanswered
from console.filters import Filters
from tests.console.conftest import add, conversation

ZONE = ZoneInfo("Europe/London")


def stored(engine):
    add(
        engine,
        conversation("a").fallback("Can I bring my dog?").faq("cost?", "cost", confidence=0.35),
        conversation("b", channel="telegram").fallback("can i bring my DOG").fallback("[email] is mine"),
        conversation("c").faq("referral", "referral"),
    )
    summary.refresh(engine)


def test_groups_by_meaning_most_asked_first(engine):
    stored(engine)
    with engine.connect() as conn:
        groups = unanswered.groups(conn, Filters(), ZONE)
        telegram = unanswered.groups(conn, Filters(channel="telegram"), ZONE)
    assert [(g.normalized, g.count, g.fallbacks) for g in groups][0] == ("can i bring my dog", 2, 2)
    assert [g.wordings[0].normalized for g in groups] == [g.normalized for g in groups]
    assert {g.normalized for g in groups} == {"can i bring my dog", "cost", "email is mine"}
    low = next(g for g in groups if g.normalized == "cost")
    assert low.best_guess == "faq/cost" and low.fallbacks == 0 and low.lowest_confidence < 0.5
    assert {g.count for g in telegram} == {1}


def test_assigning_a_group_moves_it_and_exports_valid_rasa_nlu(engine):
    stored(engine)
    with engine.begin() as conn:
        assert unanswered.file_wordings(conn, ["can i bring my dog"], "faq/format", "ada") == 2
        unanswered.file_wordings(conn, ["email is mine"], "request_human", "ada")
        remaining = {g.normalized for g in unanswered.groups(conn, Filters(), ZONE, "unassigned")}
        assigned = {g.normalized: g.topic for g in unanswered.groups(conn, Filters(), ZONE, "assigned")}
        text = unanswered.nlu_yaml(unanswered.training_examples(conn))
    assert remaining == {"cost"}
    assert assigned["can i bring my dog"] == "faq/format"
    parsed = yaml.safe_load(text)
    assert parsed["version"] == "3.1"
    blocks = {block["intent"]: block["examples"] for block in parsed["nlu"]}
    assert set(blocks) == {"faq/format"}, "redacted text is never exported as training data"
    assert blocks["faq/format"].splitlines() == ["- Can I bring my dog?", "- can i bring my DOG"]

    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    data = RasaYAMLReader().reads(text)
    assert {m.get("text") for m in data.intent_examples} == {"Can I bring my dog?", "can i bring my DOG"}


def test_clearing_an_assignment_and_an_empty_export(engine):
    stored(engine)
    with engine.begin() as conn:
        unanswered.file_wordings(conn, ["cost"], "faq/cost", "ada")
        unanswered.file_wordings(conn, ["cost"], None, "ada")
        assert unanswered.training_examples(conn) == {}
    assert yaml.safe_load(unanswered.nlu_yaml({}))["nlu"] == []


def test_annotation_brackets_never_reach_training_data():
    assert unanswered._example("is [this](entity) {ok}") == "is this (entity) ok"
    assert unanswered._example("/help") == ""


def wording(text, count=1, topic=None):
    return unanswered.Wording(text, count, text, 0.0, count, None, None, topic)


def test_paraphrases_share_a_group_and_different_questions_do_not():
    found = [
        wording("do you take bupa insurance", 3),
        wording("is there parking near the clinic", 2),
        wording("can i use my bupa health insurance", 1),
        wording("where can i park", 1),
    ]
    groups = unanswered.group_by_meaning(found)
    assert [[w.normalized for w in g.wordings] for g in groups] == [
        ["do you take bupa insurance", "can i use my bupa health insurance"],
        ["is there parking near the clinic"],
        ["where can i park"],
    ]
    assert groups[0].count == 4
    filed = unanswered.group_by_meaning(
        [
            wording("do you take bupa insurance", topic="faq/cost"),
            wording("can i use my bupa health insurance"),
        ]
    )
    assert len(filed) == 2, "a filed wording never joins an unfiled one"


def test_without_the_encoder_each_wording_is_its_own_group(monkeypatch):
    def broken(texts):
        raise RuntimeError("no model")

    monkeypatch.setattr(unanswered, "_encode", broken)
    groups = unanswered.group_by_meaning(
        [wording("do you take bupa insurance"), wording("can i use my bupa insurance")]
    )
    assert len(groups) == 2
