"""bot/privacy/redact.py: personal data out, everything else left alone."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.privacy.redact import EMAIL, NHS_NUMBER, PHONE, POSTCODE, found, redact


@pytest.mark.parametrize("text, expected", [
    ("mail me at jo.bloggs+therapy@example.co.uk please", f"mail me at {EMAIL} please"),
    ("JO@EXAMPLE.COM", EMAIL),
    ("call 07700 900123", f"call {PHONE}"),
    ("call 07700900123.", f"call {PHONE}."),
    ("+44 7700 900123", PHONE),
    ("+447700900123", PHONE),
    ("0044 20 7946 0958", PHONE),
    ("+44 (0)20 7946 0958", PHONE),
    ("(020) 7946 0958", PHONE),
    ("0161-496-0000", PHONE),
    ("my NHS number is 943 476 5919", f"my NHS number is {NHS_NUMBER}"),
    ("nhs no 9434765919", f"nhs no {NHS_NUMBER}"),
    ("943-476-5919", NHS_NUMBER),
    ("I live in SW1A 1AA", f"I live in {POSTCODE}"),
    ("postcode m1 1ae", f"postcode {POSTCODE}"),
    ("B338TH", POSTCODE),
    ("jo@example.com, 07700 900123, LS1 4AP, 943 476 5919",
     f"{EMAIL}, {PHONE}, {POSTCODE}, {NHS_NUMBER}"),
])
def test_personal_data_is_replaced(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize("text", [
    "How much does psychodynamic therapy cost?",
    "I was born on 01/02/1990 and have 2 children aged 10 and 12",
    "sessions are 50 minutes, once a week for 16 weeks",
    "call Samaritans on 116 123 or 999",
    "is it covered by the NHS?",
    "I'm 45",
    "it's 3pm on the 4th",
])
def test_ordinary_text_is_untouched(text):
    assert redact(text) == text


def test_the_practices_own_number_can_be_kept():
    assert redact("I rang 0808 101 0337 but no answer", keep=["0808 101 0337"]) == "I rang 0808 101 0337 but no answer"
    assert redact("ring me on 07700 900123", keep=["0808 101 0337"]) == f"ring me on {PHONE}"


def test_found_names_the_kinds():
    assert found("jo@example.com SW1A 1AA") == (EMAIL, POSTCODE)
    assert found("nothing here") == ()


@given(st.text())
def test_redaction_is_idempotent_and_never_fails(text):
    once = redact(text)
    assert redact(once) == once


@given(st.from_regex(r"0[1-9][0-9]{3} ?[0-9]{6}", fullmatch=True))
def test_any_uk_number_shape_is_redacted(number):
    assert redact(f"my number is {number} thanks") == f"my number is {PHONE} thanks"
