"""Builds the spaCy pipeline Rasa's SpacyNLP loads: blank English plus a lookup lemmatiser.

Nothing is downloaded: the lemma tables come from the ``spacy-lookups-data`` package that
pip installs. The result is written to ``build/spacy-en-lookup`` by the set-up (``make``),
not committed. Run: ``python -m bot.nlu.spacy_model [target_dir]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.settings import PROJECT_ROOT

DEFAULT_TARGET = PROJECT_ROOT / "build" / "spacy-en-lookup"


def build_pipeline():
    """A blank English pipeline whose tokens carry lookup lemmas ("feeling" -> "feel")."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()  # loads the lookup table from spacy-lookups-data
    return nlp


def main(target: Path = DEFAULT_TARGET) -> Path:
    nlp = build_pipeline()
    target.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(target)
    return target


if __name__ == "__main__":
    written = main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_TARGET)
    print(f"spaCy pipeline written to {written}")
