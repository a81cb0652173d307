"""data/responses/claims.yml: every answer's claims, each traced to a passage in its source.

A reviewer audits an answer by reading its claims here and finding each `find` phrase in the
named source. The phrase checks need the source texts (SOURCES_DIR, default ../shared/seeds);
the structure checks run everywhere.
"""

import re

import pytest
import yaml

from tests.support.project import ROOT, domain, faq_responses, source_catalogue

CLAIMS = yaml.safe_load((ROOT / "data" / "responses" / "claims.yml").read_text(encoding="utf-8"))["answers"]
SOURCE_IDS = set(source_catalogue())
MAX_FIND_WORDS = 8  # a few words to locate the passage, never a copied sentence


def normalised(text):
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u2013", "-")
    return re.sub(r"\s+", " ", text).strip().lower()


def sourced(claims):
    return [claim for claim in claims if claim["source"] != "none"]


def test_every_faq_answer_has_claims_and_every_entry_is_a_response():
    assert set(faq_responses()) <= set(CLAIMS), f"no claims for {set(faq_responses()) - set(CLAIMS)}"
    known = set(faq_responses()) | set(domain()["responses"])
    assert set(CLAIMS) <= known, f"claims for unknown responses: {set(CLAIMS) - known}"


@pytest.mark.parametrize("name", sorted(CLAIMS))
def test_each_claim_names_a_source_and_a_short_phrase_or_a_reason(name):
    assert CLAIMS[name], "an answer with no claims"
    for claim in CLAIMS[name]:
        assert claim["claim"].strip()
        if claim["source"] == "none":
            assert claim.get("reason", "").strip(), f"{claim['claim']!r}: say why it is said without a source"
        else:
            assert claim["source"] in SOURCE_IDS, claim
            assert 2 <= len(claim["find"].split()) <= MAX_FIND_WORDS, claim["find"]


@pytest.mark.parametrize("name", sorted(faq_responses()))
def test_recorded_sources_are_the_ones_the_claims_rest_on(name):
    recorded = set(faq_responses()[name][0]["metadata"]["sources"])
    assert recorded == {claim["source"] for claim in sourced(CLAIMS[name])}


def test_every_phrase_is_in_its_source(sources):
    texts = {source_id: normalised(text) for source_id, text in sources.items()}
    missing = [
        (name, claim["source"], claim["find"])
        for name, claims in CLAIMS.items()
        for claim in sourced(claims)
        if normalised(claim["find"]) not in texts.get(claim["source"], "")
    ]
    assert not missing, f"phrases not found in their source: {missing}"
