"""processes/launcher.py: what `make run` starts (issue 16: F11 and F13), from processes/catalogue.py."""

import sys

from processes import catalogue, launcher


def started_by_make_run():
    actions, rasa = launcher.services(5005, 5055)
    return [actions, rasa, catalogue.demo_page(8080), catalogue.console(5080)]


def test_make_run_turns_telemetry_off_and_binds_the_action_server_to_loopback(monkeypatch):
    monkeypatch.delenv("RASA_TELEMETRY_ENABLED", raising=False)
    monkeypatch.delenv("ACTION_SERVER_TOKEN", raising=False)
    actions, rasa, *_ = services = started_by_make_run()
    assert all(s.env["RASA_TELEMETRY_ENABLED"] == "false" for s in services)
    assert actions.command[:3] == [sys.executable, "-m", "processes.action_server"]
    assert actions.env["SANIC_HOST"] == "127.0.0.1"
    token = actions.env["ACTION_SERVER_TOKEN"]
    assert len(token) >= 32 and rasa.env["ACTION_SERVER_TOKEN"] == token, "both servers share one secret"
    again, _ = launcher.services(5005, 5055)
    assert again.env["ACTION_SERVER_TOKEN"] != token, "a fresh secret for each run"


def test_a_configured_secret_is_used_by_both_servers(monkeypatch):
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "s" * 40)
    actions, rasa = launcher.services(5005, 5055)
    assert actions.env["ACTION_SERVER_TOKEN"] == rasa.env["ACTION_SERVER_TOKEN"] == "s" * 40


def test_a_practice_can_opt_in_to_telemetry(monkeypatch):
    monkeypatch.setenv("RASA_TELEMETRY_ENABLED", "true")
    assert launcher.services(5005, 5055)[1].env["RASA_TELEMETRY_ENABLED"] == "true"


def test_make_run_serves_the_model_as_the_image_does():
    """bot.serve, as deploy/Dockerfile's CMD, not `rasa run`."""
    rasa = launcher.services(5005, 5055)[1]
    assert rasa.command[:3] == [sys.executable, "-m", "bot.serve"]
    assert "rasa" not in rasa.command[0].rsplit("/", 1)[-1]
