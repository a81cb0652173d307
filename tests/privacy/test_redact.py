"""bot/privacy/redact.py: personal data out, everything else left alone (patterns in patterns.yml)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.privacy.redact import (
    ADDRESS,
    DATE,
    EMAIL,
    NAME,
    NHS_NUMBER,
    NI_NUMBER,
    NUMBER,
    PHONE,
    POSTCODE,
    found,
    redact,
)


@pytest.mark.parametrize(
    "text, expected",
    [
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
        # issue 16, F7: what the old patterns missed
        ("my name is Jane Smithson and I feel low", f"my name is {NAME} and I feel low"),
        ("my name is jane", f"my name is {NAME}"),
        ("I'm called Bob", f"I'm called {NAME}"),
        ("This is Sarah, I need help", f"This is {NAME}, I need help"),
        ("I live at 12 Acacia Avenue, Leeds", f"I live at {ADDRESS}, Leeds"),
        ("flat 3, 14 high street", ADDRESS),
        ("born on 12/03/1985", f"born on {DATE}"),
        ("dob 12 March 1985", f"dob {DATE}"),
        ("my birthday is on the 3rd of May", f"my birthday is on the {DATE}"),
        ("March 12, 1985", DATE),
        ("1985-03-12", DATE),
        ("NI number QQ 12 34 56 C", f"NI number {NI_NUMBER}"),
        ("qq123456c", NI_NUMBER),
        ("447700900123", PHONE),
        ("7700 900123", PHONE),
        ("+353 87 123 4567", PHONE),
        ("943.476.5919", NHS_NUMBER),
        ("943 4765 919", NHS_NUMBER),
        ("jane dot smithson at gmail dot com", EMAIL),
        ("write to jo_b (at) mail dot co dot uk", f"write to {EMAIL}"),
        ("20 7946 0958", NUMBER),
        (
            "jo@example.com, 07700 900123, LS1 4AP, 943 476 5919",
            f"{EMAIL}, {PHONE}, {POSTCODE}, {NHS_NUMBER}",
        ),
    ],
)
def test_personal_data_is_replaced(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "How much does psychodynamic therapy cost?",
        "I have 2 children aged 10 and 12",
        "I have 2 kids on my street",
        "this is about my anxiety",
        "This is really hard",
        "I am at home",
        "look at this",
        "I want to die",
        "can I come at 10 on the 3rd of May?",
        "sessions are 50 minutes, once a week for 16 weeks",
        "call Samaritans on 116 123 or 999",
        "is it covered by the NHS?",
        "I'm 45",
        "it's 3pm on the 4th",
    ],
)
def test_ordinary_text_is_untouched(text):
    assert redact(text) == text


def test_the_practices_own_number_can_be_kept():
    assert (
        redact("I rang 0808 101 0337 but no answer", keep=["0808 101 0337"])
        == "I rang 0808 101 0337 but no answer"
    )
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


# One property per kind: whatever the value, it is gone, and the placeholder says what was there.
FIRST_NAMES = st.sampled_from(
    ["Jane", "jo", "Mohammed", "Siobhan", "Anne-Marie", "O'Neill", "Priya", "Tomasz"]
)
LETTERS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=10).filter(
    lambda w: (
        w
        not in {
            "at",
            "dot",
            "and",
            "but",
            "so",
            "or",
            "im",
            "not",
            "just",
            "the",
            "an",
            "here",
            "from",
            "to",
            "in",
            "on",
            "very",
            "really",
            "because",
            "cos",
            "please",
            "thanks",
            "thank",
            "hi",
            "hello",
            "xx",
            "xxx",
        }
    )
)
SEP = st.sampled_from([" ", "-", ".", ""])


@given(
    st.lists(st.one_of(FIRST_NAMES, LETTERS), min_size=1, max_size=2),
    st.booleans(),
    st.sampled_from(["my name is", "My name's", "I'm called", "i am called", "call me", "This is"]),
)
def test_a_name_after_an_introduction_is_redacted(names, capitalised, intro):
    names = [n[0].upper() + n[1:] if capitalised or intro == "This is" else n.lower() for n in names]
    name = " ".join(names)
    text = redact(f"{intro} {name}, and I want to ask something")
    assert NAME in text and all(part not in text for part in names)


NOT_STREET_WORDS = {
    "of",
    "on",
    "in",
    "at",
    "my",
    "the",
    "and",
    "or",
    "an",
    "to",
    "for",
    "with",
    "from",
    "by",
    "is",
    "are",
    "was",
    "year",
    "years",
    "week",
    "weeks",
    "day",
    "days",
    "time",
    "times",
    "month",
    "months",
    "hour",
    "hours",
    "minute",
    "minutes",
    "kids",
    "children",
    "session",
    "sessions",
    "people",
    "pounds",
    "miles",
}


@given(
    st.integers(1, 999),
    st.lists(LETTERS.filter(lambda w: w not in NOT_STREET_WORDS).map(str.capitalize), min_size=1, max_size=2),
    st.sampled_from(["Road", "Street", "St", "Avenue", "Lane", "Close", "Drive", "Gardens", "Terrace"]),
)
def test_a_street_address_is_redacted(number, words, street):
    address = f"{number} {' '.join(words)} {street}"
    assert redact(f"I live at {address} near here") == f"I live at {ADDRESS} near here"


@given(
    st.dates(),
    st.sampled_from(["%d/%m/%Y", "%d.%m.%y", "%d-%m-%Y", "%Y-%m-%d", "%d %B %Y", "%B %d, %Y", "%d %b %Y"]),
)
def test_a_full_date_is_redacted(date, layout):
    if date.year < 1900:
        date = date.replace(year=1900 + date.year % 100)
    if date.year > 2099:
        date = date.replace(year=2000 + date.year % 100)
    written = date.strftime(layout)
    assert redact(f"I was born {written} ok") == f"I was born {DATE} ok"


@given(
    st.from_regex(r"[A-Z]{2}", fullmatch=True),
    st.lists(st.integers(0, 99), min_size=3, max_size=3),
    st.sampled_from("ABCD"),
    SEP,
)
def test_an_ni_number_is_redacted(letters, pairs, suffix, sep):
    number = letters + sep + sep.join(f"{p:02d}" for p in pairs) + sep + suffix
    assert redact(f"my NI is {number} thanks") == f"my NI is {NI_NUMBER} thanks"


@given(
    st.sampled_from(["+44 ", "+44", "0044 ", "44", "0", ""]),
    st.from_regex(r"7[0-9]{3}", fullmatch=True),
    st.from_regex(r"[0-9]{6}", fullmatch=True),
    SEP,
)
def test_a_mobile_number_is_redacted_with_or_without_prefix(prefix, first, rest, sep):
    number = f"{prefix}{first}{sep}{rest}"
    assert redact(f"text me on {number} thanks") == f"text me on {PHONE} thanks"


@given(
    st.sampled_from(["+353", "+1", "+33", "+49", "00353", "+91"]),
    st.lists(st.from_regex(r"[0-9]{2,4}", fullmatch=True), min_size=3, max_size=3),
)
def test_an_international_number_is_redacted(code, groups):
    number = f"{code} {' '.join(groups)}"
    assert redact(f"ring {number} please") == f"ring {PHONE} please"


@given(
    st.from_regex(r"[1-9][0-9]{9}", fullmatch=True),
    st.sampled_from([(3, 3, 4), (3, 4, 3)]),
    st.sampled_from([" ", "-", "."]),
)
def test_an_nhs_number_is_redacted_however_it_is_grouped(digits_, grouping, sep):
    a, b, _ = grouping
    number = sep.join([digits_[:a], digits_[a : a + b], digits_[a + b :]])
    text = redact(f"nhs no {number} ok")
    assert text == f"nhs no {NHS_NUMBER} ok"


@given(
    LETTERS,
    LETTERS,
    st.sampled_from(["gmail dot com", "mail dot co dot uk", "example dot org"]),
    st.sampled_from([" dot ", " underscore ", ".", "_"]),
)
def test_a_spelt_out_email_is_redacted(first, last, domain, joiner):
    address = f"{first}{joiner}{last} at {domain}"
    text = redact(f"email me on {address} thanks")
    assert text == f"email me on {EMAIL} thanks"


@given(st.from_regex(r"[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2}", fullmatch=True))
def test_a_postcode_is_redacted(postcode):
    assert redact(f"I'm in {postcode} today") == f"I'm in {POSTCODE} today"
