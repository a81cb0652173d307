import pytest
import spacy

from bot.nlu.spacy_model import DEFAULT_TARGET


@pytest.fixture(scope="session")
def nlp():
    if not (DEFAULT_TARGET / "meta.json").exists():
        pytest.fail("spaCy pipeline missing: run `make spacy`")
    return spacy.load(DEFAULT_TARGET)
