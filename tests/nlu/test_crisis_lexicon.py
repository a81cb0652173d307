"""The rule half of the crisis safety net, on its own (no classifier)."""

import pytest
import yaml

from bot.nlu.crisis_lexicon import CrisisDetector, CrisisLexicon, compile_pattern
from tests.support.project import ROOT

CRISIS_EVAL = yaml.safe_load((ROOT / "tests" / "data" / "crisis_eval.yml").read_text())


@pytest.fixture(scope="module")
def detector(nlp):
    return CrisisDetector(nlp)


def test_every_risk_message_in_the_crisis_file_is_caught(detector):
    missed = [text for text in CRISIS_EVAL["risk"] if not detector.is_risky(text)]
    assert missed == []


def test_false_alarms_on_ordinary_questions_stay_under_5_percent(detector):
    alarms = [text for text in CRISIS_EVAL["ordinary"] if detector.is_risky(text)]
    assert len(alarms) / len(CRISIS_EVAL["ordinary"]) <= 0.05, alarms


@pytest.mark.parametrize("text", [
    "I don't see the point any more",
    "i dont see the point anymore",
    "wanna kms",
    "Im going to end it tonight",
    "I KEEP CUTTING MYSELF",
    "my stepdad hits me",
    "i've taken an overdose",
    "I'm suicidle",
])
def test_indirect_misspelt_and_shouted_risk(detector, text):
    assert detector.is_risky(text)


@pytest.mark.parametrize("text", [
    "does it help with depression?",
    "can therapy make me feel worse?",
    "does it help with substance abuse",
    "I'm dying to know how it works",
    "what happens in a session",
    "my mum passed away last year, would therapy help with grief",
])
def test_ordinary_questions_do_not_fire(detector, text):
    assert not detector.is_risky(text)


def test_findings_name_the_category_and_phrase(detector):
    findings = detector.find("honestly I want to kill myself")
    assert {"category": "suicide", "phrase": "kill myself"} in findings


def test_pattern_syntax_alternatives_gaps_optional_and_exact(nlp):
    patterns = compile_pattern(nlp, "=took|swallow * pill")
    assert len(patterns) == 2  # one lemma variant, one exact-form variant
    assert patterns[0][0] == {"LEMMA": {"IN": ["swallow"]}}
    assert patterns[1][0] == {"LOWER": {"IN": ["took"]}}
    assert patterns[0][1:4] == [{"OP": "?"}] * 3
    assert compile_pattern(nlp, "?own life")[0][0]["OP"] == "?"


def test_normalisation_rewrites_text_speak():
    lexicon = CrisisLexicon.load()
    assert lexicon.normalise_text("I can’t, wanna kms") == "i can not , want to kill myself"
