"""bot/console/db/unanswered.py: grouped unanswered questions, filing, NLU export."""

from zoneinfo import ZoneInfo

import yaml

from bot.console.db import summary, unanswered
from bot.console.filters import Filters
from tests.console.conftest import add, conversation

ZONE = ZoneInfo("Europe/London")


def stored(engine):
    add(engine,
        conversation("a").fallback("Can I bring my dog?").faq("cost?", "cost", confidence=0.35),
        conversation("b", channel="telegram").fallback("can i bring my DOG").fallback("[email] is mine"),
        conversation("c").faq("referral", "referral"))
    summary.refresh(engine)


def test_groups_by_words_most_asked_first(engine):
    stored(engine)
    with engine.connect() as conn:
        groups = unanswered.groups(conn, Filters(), ZONE)
        telegram = unanswered.groups(conn, Filters(channel="telegram"), ZONE)
    assert [(g.normalized, g.count, g.fallbacks) for g in groups][0] == ("can i bring my dog", 2, 2)
    assert {g.normalized for g in groups} == {"can i bring my dog", "cost", "email is mine"}
    low = next(g for g in groups if g.normalized == "cost")
    assert low.best_guess == "faq/cost" and low.fallbacks == 0 and low.lowest_confidence < 0.5
    assert {g.count for g in telegram} == {1}


def test_assigning_a_group_moves_it_and_exports_valid_rasa_nlu(engine):
    stored(engine)
    with engine.begin() as conn:
        unanswered.assign(conn, "can i bring my dog", "faq/format", "ada")
        unanswered.assign(conn, "email is mine", "request_human", "ada")
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
        unanswered.assign(conn, "cost", "faq/cost", "ada")
        unanswered.assign(conn, "cost", None, "ada")
        assert unanswered.training_examples(conn) == {}
    assert yaml.safe_load(unanswered.nlu_yaml({}))["nlu"] == []


def test_annotation_brackets_never_reach_training_data():
    assert unanswered._example("is [this](entity) {ok}") == "is this (entity) ok"
    assert unanswered._example("/help") == ""
