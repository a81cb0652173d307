"""Conversation ids that are personal data, pseudonymised before they are stored.

A Twilio id is the visitor's phone number, a Telegram/Slack/Messenger id names one person
on that platform, and REST clients sometimes use an e-mail address. The tracker store
writes and looks up ``<namespace>:~<HMAC-SHA256 of the whole id, 32 hex>`` instead, so the
database, the console's links, its audit log and exports never hold the id; the Rasa
server keeps the real id only in memory, to reply. The key (``CONVERSATION_ID_KEY``) lives
outside the database: without it a stored id cannot be tested against a guessed number.
Ids that are not personal (a widget's random session id, ``rest:alice``) stay readable.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from functools import lru_cache
from typing import Optional

from bot.privacy.redact import EMAIL, NHS_NUMBER, NI_NUMBER, NUMBER, PHONE, found

MARK = "~"  # no channel's own ids start with it (REST ids must start with a letter or digit)
PSEUDONYM = re.compile(r"[a-z]+:~[0-9a-f]{32}")
ALWAYS = frozenset({"twilio", "telegram", "slack", "messenger"})  # platform ids of a person
# nine digits or more (hyphenated phone numbers are found by the redaction patterns)
_NUMBER = re.compile(r"\d(?:[\s.()]?\d){8,}")
_IDENTIFYING = {EMAIL, PHONE, NHS_NUMBER, NI_NUMBER, NUMBER}  # kinds that identify a person on their own
_RANDOM_HEX = re.compile(r"(?=.*[a-f])[0-9a-f-]{16,}", re.IGNORECASE)  # a UUID or token, not a number


@lru_cache(maxsize=1)
def _default_key() -> bytes:
    from bot import settings

    return settings.conversation_id_key()


def is_personal(conversation_id: str) -> bool:
    namespace, _, rest = conversation_id.partition(":")
    if namespace in ALWAYS:
        return True
    if namespace == "web":
        return False  # the widget's session ids are random and issued by the server
    last = rest.rsplit(":", 1)[-1]
    if _RANDOM_HEX.fullmatch(last):
        return False
    # e-mail addresses, phone numbers, any long run of digits (a number with a prefix)
    return (
        "@" in conversation_id
        or bool(_IDENTIFYING & set(found(rest.replace(":", " "))))
        or bool(_NUMBER.search(rest))
    )


def storage_id(conversation_id: str, key: Optional[bytes] = None) -> str:
    """The id the database holds for ``conversation_id`` (idempotent: a stored id maps to itself)."""
    if PSEUDONYM.fullmatch(conversation_id) or not is_personal(conversation_id):
        return conversation_id
    digest = hmac.new(key or _default_key(), conversation_id.encode("utf-8"), hashlib.sha256).hexdigest()
    namespace, sep, _ = conversation_id.partition(":")
    prefix = namespace if sep and re.fullmatch(r"[a-z]+", namespace) else "id"
    return f"{prefix}:{MARK}{digest[:32]}"
