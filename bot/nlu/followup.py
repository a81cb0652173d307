"""Short follow-ups that lean on the previous turn ("what about online?", "is that the same for couples?").

The Rasa server's NLU sees one message at a time. So for a message shaped like a
follow-up, the FAQ selector (bot/nlu/faq_selector.py) also ranks the topics for the
message read *after each topic's own question* ("How much does it cost? is that the same
for couples?") and stores those rankings on the message (``faq_context``). The follow-up
action (actions/answer_followup.py) knows the previous topic from the conversation and
takes the ranking made in that context. Rankings are small (top few per topic).
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Sequence, Tuple

CONTEXT_KEY = "faq_context"
CONTEXT_TOP = 3
MAX_WORDS = 9

# Openings that only make sense after something was said, in a message too short to carry
# a whole question of its own. "it" alone ("is it confidential?") usually means therapy,
# so it counts only together with a comparison ("is it the same…", "…too?").
_OPENING = re.compile(
    r"^(?:and|so|but|also|ok(?:ay)?|right)?[\s,]*(?:what|how)\s+about\b"
    r"|^(?:and|also|plus)\b"
    r"|^(?:is|are|does|do|would|will|can|could)\s+(?:that|this|those|these)\b"
    r"|^(?:what|how)\s+(?:if|long|much|often)\b.*\b(?:that|this|those)\b"
    r"|\bthe\s+same\b|\b(?:too|as\s+well|either)\s*\??$",
    re.IGNORECASE,
)


def is_followup(text: Optional[str]) -> bool:
    """True for a short message that refers back to what was just discussed."""
    cleaned = re.sub(r"[^\w\s'?,]", " ", (text or "").strip().lower()).strip()
    words = cleaned.split()
    return 0 < len(words) <= MAX_WORDS and bool(_OPENING.search(cleaned))


def in_context(question: str, followup: str) -> str:
    """The text ranked for a follow-up after a topic: the topic's question, then the follow-up."""
    return f"{question.rstrip()} {followup.strip()}"


def context_table(
    topics: Sequence[str], rankings: Sequence[Sequence[Tuple[str, float]]]
) -> Dict[str, List[List[Any]]]:
    """Previous topic -> its top few (topic, confidence), JSON-friendly for the tracker."""
    return {
        topic: [[key, round(conf, 6)] for key, conf in ranking[:CONTEXT_TOP]]
        for topic, ranking in zip(topics, rankings, strict=True)
    }
