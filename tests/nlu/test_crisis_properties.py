"""Properties of the crisis safety net's rule half, over text hypothesis makes up.

A risk phrase stays detected whatever surrounds it, however it is capitalised, and when
disguised with invisible or full-width characters that the REST channel cleans away; and
no text, however odd, makes the detector fail.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channels.input_rules import clean_text
from bot.nlu.crisis_lexicon import CrisisDetector

RISK_PHRASES = [
    "i want to kill myself",
    "i am suicidal",
    "i want to end my life",
    "i don't see the point any more",
    "i have been self harming",
    "i took an overdose",
    "he hits me",
    "i can't go on",
    "kms",
]
SEPARATORS = [" ", "\n", ". ", "! ", "? ", ", ", " (", ") ", ' "', '" ', " - ", "... ", " :( "]
INVISIBLE = ["\u200b", "\u00ad", "\u2060", "\ufeff", "\u202e", "\u0007"]
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def detector(nlp):
    return CrisisDetector(nlp)


def any_case(draw, text):
    return "".join(c.upper() if draw(st.booleans()) else c for c in text)


@st.composite
def risk_in_context(draw):
    phrase = any_case(draw, draw(st.sampled_from(RISK_PHRASES)))
    before = draw(st.text(max_size=60)) + draw(st.sampled_from(SEPARATORS))
    after = draw(st.sampled_from(SEPARATORS)) + draw(st.text(max_size=60))
    return before + phrase + after


@SETTINGS
@given(risk_in_context())
def test_a_risk_phrase_is_found_whatever_surrounds_it(detector, text):
    assert detector.is_risky(text), text


@st.composite
def disguised_risk(draw):
    phrase = draw(st.sampled_from(RISK_PHRASES))
    out = []
    for char in phrase:
        if char.isascii() and char.isalpha() and draw(st.booleans()):
            char = chr(ord(char) - ord("a") + ord("ａ")) if char.islower() else char  # full width
        out.append(char)
        if char != " " and draw(st.integers(0, 4)) == 0:
            out.append(draw(st.sampled_from(INVISIBLE)))
    return "".join(out)


@SETTINGS
@given(disguised_risk())
def test_a_disguised_risk_phrase_is_found_once_the_channel_has_cleaned_it(detector, text):
    assert detector.is_risky(clean_text(text)), repr(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=400))
def test_no_text_makes_the_detector_fail(detector, text):
    matches = detector.find(text)
    assert all(set(match) == {"category", "phrase", "framing"} for match in matches)
