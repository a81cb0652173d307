"""The semantic crisis detector: clause splitting, the bank, and a few messages scored."""

import re

import pytest
import yaml

from bot.nlu.crisis_semantic import (
    CHECK_IN_THRESHOLD,
    CRISIS_THRESHOLD,
    KINDS,
    ExemplarBank,
    SemanticCrisisDetector,
    split_clauses,
)
from bot.nlu.encoder import shared_encoder
from evaluation.crisis_split import EVAL_DIR


@pytest.fixture(scope="module")
def semantic():
    return SemanticCrisisDetector(shared_encoder())


def test_sentences_and_clauses_are_split_on_punctuation_and_joiners():
    units = split_clauses("How much is it? I'm fine at work but at home I want to end my life")
    assert units[0] == "How much is it"
    assert "I'm fine at work but at home I want to end my life" in units
    assert "at home I want to end my life" in units


@pytest.mark.parametrize("joiner", [",", " and", " but", " because", " so", " cos"])
def test_each_clause_joiner_separates_a_risk_clause(joiner):
    units = split_clauses(f"do you do evening sessions{joiner} i have saved up my tablets")
    assert "i have saved up my tablets" in units


def test_short_fragments_are_not_scored_alone_and_a_slash_is_not_a_button():
    assert split_clauses("/i want to die") == ["i want to die"]
    assert "my partner" not in split_clauses("my partner, she says it's fine")
    assert split_clauses("   ") == [] and split_clauses("") == []
    assert split_clauses("help") == ["help"]


def test_units_are_bounded_and_not_repeated():
    text = ", ".join(f"clause number {i} here" for i in range(40))
    units = split_clauses(text)
    assert len(units) == 12 and len(set(map(str.lower, units))) == len(units)


def test_thresholds_make_a_band_below_crisis():
    assert 0 < CHECK_IN_THRESHOLD < CRISIS_THRESHOLD < 1


def test_the_bank_has_every_kind_and_hard_negatives():
    bank = ExemplarBank.load()
    assert set(bank.risk_kinds) == set(KINDS)
    assert len(bank.risk_texts) >= 150 and len(bank.negatives) >= 60


def _normal(text):
    return re.sub(r"[^a-z0-9 ]", "", text.lower()).strip()


def test_no_exemplar_is_copied_from_the_evaluation():
    """The bank is written apart from the evaluation: no exemplar is an evaluation message."""
    bank = ExemplarBank.load()
    exemplars = {_normal(t) for t in bank.risk_texts + bank.negatives}
    evaluation = set()
    for name in ("risk.yml", "ordinary.yml"):
        for group in yaml.safe_load((EVAL_DIR / name).read_text()).values():
            for register, texts in group.items():
                if register != "kind":
                    evaluation |= {_normal(t) for t in texts}
    extra = yaml.safe_load((EVAL_DIR / "dev_extra.yml").read_text())
    evaluation |= {_normal(item["text"]) for key in ("risk", "ordinary") for item in extra[key]}
    assert not exemplars & evaluation


@pytest.mark.parametrize(
    "text, kind",
    [
        ("i really want to kill myself", "self"),
        ("my husband beats me", "abuse"),
        ("I've swallowed all my pills", "ingestion"),
    ],
)
def test_clear_risk_is_a_crisis_of_the_right_kind(semantic, text, kind):
    found = semantic.assess(text)
    assert found.level == "crisis" and found.kinds[0] == kind


def test_a_risk_clause_inside_an_ordinary_question_is_found(semantic):
    found = semantic.assess("How long is the wait for a first session, I just want to die")
    assert found.level == "crisis"
    assert "i just want to die" in found.riskiest.text  # the unit as rewritten for matching (lower case)


@pytest.mark.parametrize(
    "text",
    [
        "Does psychodynamic therapy help with anxiety?",
        "What happens in the first session?",
        "I'd kill for an appointment on a Saturday",
    ],
)
def test_ordinary_questions_are_not_a_crisis(semantic, text):
    assert semantic.assess(text).level != "crisis"


def test_empty_text_is_none(semantic):
    found = semantic.assess("")
    assert found.level == "none" and found.score == 0.0 and found.kinds == []
