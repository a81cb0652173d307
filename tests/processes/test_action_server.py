"""processes/action_server.py: the shared secret is required in production and checked on every call."""

import pytest

from processes.action_server import allowed, create_app, required_token


def test_production_refuses_to_start_without_a_long_secret():
    with pytest.raises(SystemExit):
        required_token({"APP_ENV": "production"})
    with pytest.raises(SystemExit):
        required_token({"ACTION_SERVER_TOKEN": "short"})
    assert required_token({}) == ""
    assert required_token({"APP_ENV": "production", "ACTION_SERVER_TOKEN": "t" * 32}) == "t" * 32


def test_only_health_is_open_without_the_secret():
    """The served check is tested against the running action server in
    tests/security/test_conversation_attacks.py::test_a_forged_action_call_without_the_secret_is_refused."""
    token = "s" * 40
    assert not allowed(token, "/webhook", None) and not allowed(token, "/webhook", "s" * 39)
    assert not allowed(token, "/actions", "")
    assert allowed(token, "/webhook", token) and allowed(token, "/health", None)
    assert allowed("", "/webhook", None), "no secret configured: development only"
    assert create_app("actions", token) is not None
