"""Webhook signatures, checked against the platforms' own libraries where one is installed."""

import time

from rasa.core.channels.facebook import FacebookInput
from slack_sdk.signature import SignatureVerifier
from twilio.request_validator import RequestValidator

from bot.channels.signatures import (
    facebook_signature,
    facebook_signature_valid,
    same_secret,
    slack_signature,
    slack_signature_valid,
    twilio_signature,
    twilio_signature_valid,
)

TWILIO_URL = "https://bot.practice.example.org.uk/webhooks/sms/webhook"
TWILIO_FORM = {
    "ToCountry": "GB",
    "SmsMessageSid": "SM123",
    "NumMedia": "0",
    "From": "+447700900123",
    "Body": "What is psychodynamic therapy? £40 & more",
    "To": "+447700900000",
    "AccountSid": "AC1",
}


def test_twilio_signature_matches_twilios_own_validator():
    validator = RequestValidator("twilio-auth-token")
    assert twilio_signature("twilio-auth-token", TWILIO_URL, TWILIO_FORM) == validator.compute_signature(
        TWILIO_URL, TWILIO_FORM
    )
    signature = validator.compute_signature(TWILIO_URL, TWILIO_FORM)
    assert twilio_signature_valid("twilio-auth-token", TWILIO_URL, TWILIO_FORM, signature)


def test_twilio_signature_covers_url_params_and_token():
    good = twilio_signature("twilio-auth-token", TWILIO_URL, TWILIO_FORM)
    assert not twilio_signature_valid("other-token", TWILIO_URL, TWILIO_FORM, good)
    assert not twilio_signature_valid(
        "twilio-auth-token", "http://127.0.0.1:5005/webhooks/sms/webhook", TWILIO_FORM, good
    )
    assert not twilio_signature_valid("twilio-auth-token", TWILIO_URL, {**TWILIO_FORM, "Body": "x"}, good)
    assert not twilio_signature_valid("twilio-auth-token", TWILIO_URL, TWILIO_FORM, None)
    assert not twilio_signature_valid(
        "", TWILIO_URL, TWILIO_FORM, twilio_signature("", TWILIO_URL, TWILIO_FORM)
    )


def test_twilio_signature_accepts_form_values_as_lists():
    as_lists = {name: [value] for name, value in TWILIO_FORM.items()}
    assert twilio_signature("t", TWILIO_URL, as_lists) == twilio_signature("t", TWILIO_URL, TWILIO_FORM)


def test_facebook_signature_agrees_with_rasas_sha256_check():
    body = b'{"object":"page","entry":[]}'
    signature = facebook_signature("app-secret", body)
    assert signature.startswith("sha256=")
    assert FacebookInput.validate_hub_signature("app-secret", body, signature)
    assert facebook_signature_valid("app-secret", body, signature)
    assert not facebook_signature_valid("app-secret", body + b" ", signature)
    assert not facebook_signature_valid("other", body, signature)
    assert not facebook_signature_valid("app-secret", body, signature.replace("sha256", "sha1"))


def test_slack_signature_matches_slack_sdk_and_refuses_stale_requests():
    now = time.time()
    timestamp, body = str(int(now)), b'{"type":"event_callback"}'
    signature = slack_signature("signing-secret", timestamp, body)
    assert SignatureVerifier("signing-secret").is_valid(body, timestamp, signature)
    assert slack_signature_valid("signing-secret", timestamp, body, signature, now=now)
    assert not slack_signature_valid("signing-secret", timestamp, body, signature, now=now + 301)
    assert not slack_signature_valid("signing-secret", timestamp, body, signature, now=now - 301)
    assert not slack_signature_valid("signing-secret", timestamp, body + b"x", signature, now=now)
    assert not slack_signature_valid("signing-secret", "yesterday", body, signature, now=now)
    assert not slack_signature_valid("signing-secret", None, body, signature, now=now)
    assert not slack_signature_valid("", timestamp, body, slack_signature("", timestamp, body), now=now)


def test_an_empty_secret_never_matches():
    assert not same_secret("", "")
    assert not same_secret(None, None)
    assert same_secret("s3cret", "s3cret") and not same_secret("s3cret", "s3cre")
