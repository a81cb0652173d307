"""Is this webhook request really from the platform? Pure checks, one per platform.

Each platform signs its webhook requests with a secret it shares with the practice; anyone
can post to a public webhook URL, so a request whose signature does not match is refused
before it reaches the assistant. Comparisons are constant-time, and an unset secret never
matches, so a half-configured channel refuses everything rather than accepting everything.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Mapping, Optional, Sequence, Union

SLACK_MAX_AGE = 5 * 60  # seconds; Slack's advice against replayed requests

Params = Mapping[str, Union[str, Sequence[str]]]


def same_secret(given: Optional[str], expected: Optional[str]) -> bool:
    """Constant-time equality that is never true for an empty secret."""
    return bool(expected) and hmac.compare_digest((given or "").encode(), (expected or "").encode())


def _hmac_hex(secret: str, message: bytes, digest) -> str:
    return hmac.new(secret.encode("utf-8"), message, digest).hexdigest()


def twilio_signature(auth_token: str, url: str, params: Params) -> str:
    """``X-Twilio-Signature``: base64 HMAC-SHA1 of the URL followed by each POST parameter's
    name and value, sorted by name (and values of a repeated name sorted too)."""
    message = url
    for name in sorted(params):
        values = params[name]
        for value in sorted([values] if isinstance(values, str) else values):
            message += name + value
    mac = hmac.new(auth_token.encode("utf-8"), message.encode("utf-8"), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode("ascii")


def twilio_signature_valid(auth_token: str, url: str, params: Params, signature: Optional[str]) -> bool:
    return bool(auth_token) and same_secret(signature, twilio_signature(auth_token, url, params))


def facebook_signature(app_secret: str, body: bytes) -> str:
    """``X-Hub-Signature-256``: ``sha256=`` + hex HMAC-SHA256 of the raw body."""
    return "sha256=" + _hmac_hex(app_secret, body, hashlib.sha256)


def facebook_signature_valid(app_secret: str, body: bytes, signature: Optional[str]) -> bool:
    return bool(app_secret) and same_secret(signature, facebook_signature(app_secret, body))


def slack_signature(signing_secret: str, timestamp: str, body: bytes) -> str:
    """``X-Slack-Signature``: ``v0=`` + hex HMAC-SHA256 of ``v0:<timestamp>:<raw body>``."""
    return "v0=" + _hmac_hex(signing_secret, b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256)


def slack_signature_valid(
    signing_secret: str,
    timestamp: Optional[str],
    body: bytes,
    signature: Optional[str],
    now: Optional[float] = None,
) -> bool:
    """Checks the signature and refuses requests older (or newer) than five minutes."""
    try:
        age = abs((time.time() if now is None else now) - int(timestamp or ""))
    except ValueError:
        return False
    if not signing_secret or age > SLACK_MAX_AGE:
        return False
    return same_secret(signature, slack_signature(signing_secret, str(timestamp), body))
