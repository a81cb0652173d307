"""The rule half of the crisis safety net, on its own (no classifier).

evaluation/crisis_legacy.yml shaped these rules, so the two file-wide tests below are dev
checks (the rules still cover what they were written for), not an independent measure:
that is evaluation/crisis/test.yml (docs/safety/evaluation.md).
"""

import pytest
import yaml

from bot.nlu.crisis_lexicon import CrisisDetector, CrisisLexicon, compile_pattern
from tests.support.project import ROOT

CRISIS_EVAL = yaml.safe_load((ROOT / "evaluation" / "crisis_legacy.yml").read_text())


@pytest.fixture(scope="module")
def detector(nlp):
    return CrisisDetector(nlp)


def test_every_risk_message_in_the_crisis_file_is_caught(detector):
    missed = [text for text in CRISIS_EVAL["risk"] if not detector.is_risky(text)]
    assert missed == []


def test_false_alarms_on_ordinary_questions_stay_under_5_percent(detector):
    alarms = [text for text in CRISIS_EVAL["ordinary"] if detector.is_risky(text)]
    assert len(alarms) / len(CRISIS_EVAL["ordinary"]) <= 0.05, alarms


@pytest.mark.parametrize(
    "text",
    [
        "I don't see the point any more",
        "i dont see the point anymore",
        "wanna kms",
        "Im going to end it tonight",
        "I KEEP CUTTING MYSELF",
        "my stepdad hits me",
        "i've taken an overdose",
        "I'm suicidle",
    ],
)
def test_indirect_misspelt_and_shouted_risk(detector, text):
    assert detector.is_risky(text)


@pytest.mark.parametrize(
    "text",
    [
        "does it help with depression?",
        "can therapy make me feel worse?",
        "does it help with substance abuse",
        "I'm dying to know how it works",
        "what happens in a session",
        "my mum passed away last year, would therapy help with grief",
    ],
)
def test_ordinary_questions_do_not_fire(detector, text):
    assert not detector.is_risky(text)


def test_findings_name_the_category_and_phrase(detector):
    findings = detector.find("honestly I want to kill myself")
    assert {"category": "suicide", "phrase": "kill myself", "framing": "current"} in findings


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


@pytest.mark.parametrize(
    "text",
    [
        "I self-harmed when I was a teenager, would a therapist need to know?",
        "do you have a policy on suicide risk?",
        "I took an overdose years ago, does that matter for referral?",
    ],
)
def test_a_topic_word_in_the_past_or_a_question_is_a_check_in_not_a_crisis(detector, text):
    findings = detector.find(text)
    assert findings and not detector.is_risky(text)
    assert {match["framing"] for match in findings} <= {"past_or_question", "topic_only"}


@pytest.mark.parametrize(
    "text",
    [
        "I used to self-harm years ago and I've started again",
        "can therapy help me stop wanting to kill myself",
        "do you see teenagers, I've been self harming",
        "I took an overdose years ago and I've just done it again",
    ],
)
def test_a_present_statement_stays_a_crisis_whatever_the_framing(detector, text):
    assert detector.is_risky(text)


def test_an_idiom_around_a_risk_word_is_not_risk(detector):
    assert not detector.find("losing my job really hit me hard")
    assert detector.is_risky("he hit me last night")


def test_phrase_rewrites_run_before_word_rewrites():
    lexicon = CrisisLexicon.load()
    assert lexicon.normalise_text("gonna kill my self 2nite") == "going to kill myself tonight"


@pytest.mark.parametrize(
    "text",
    [
        "what are the warning signs of suicide",
        "how do I talk to my son about self-harm",
        "I had chest pain at work and the doctor says it's anxiety",
        "we set a date for the wedding",
    ],
)
def test_a_topic_word_or_an_everyday_phrase_is_a_check_in_at_most(detector, text):
    assert not detector.is_risky(text)


@pytest.mark.parametrize(
    "text",
    [
        "I'm suicidal",
        "suicidal",
        "I keep thinking about suicide",
        "been self harming every night",
        "I took 30 paracetamol",
        "i overdosed on my meds",
        "my boyfriend gets violent when he drinks",
    ],
)
def test_the_writers_own_present_words_stay_a_crisis(detector, text):
    assert detector.is_risky(text)


@pytest.mark.parametrize(
    "text",
    ["I'd jump at the chance", "I could strangle my brother", "I feel like I can't breathe when I panic"],
)
def test_idioms_are_not_risk(detector, text):
    assert not detector.is_risky(text)
