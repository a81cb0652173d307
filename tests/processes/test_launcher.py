"""processes/launcher.py: what `make run` starts (issue 16: F11 and F13)."""

import sys

from processes import launcher


def test_make_run_turns_telemetry_off_and_binds_the_action_server_to_loopback(monkeypatch):
    monkeypatch.delenv("RASA_TELEMETRY_ENABLED", raising=False)
    monkeypatch.delenv("ACTION_SERVER_TOKEN", raising=False)
    actions, rasa = launcher.rasa_services(5005, 5055)
    services = [actions, rasa, launcher.web_service(8080), launcher.console_service(5080)]
    assert all(s.env["RASA_TELEMETRY_ENABLED"] == "false" for s in services)
    assert actions.command[:3] == [sys.executable, "-m", "processes.action_server"]
    assert actions.env["SANIC_HOST"] == "127.0.0.1"
    token = actions.env["ACTION_SERVER_TOKEN"]
    assert len(token) >= 32 and rasa.env["ACTION_SERVER_TOKEN"] == token, "both servers share one secret"
    again, _ = launcher.rasa_services(5005, 5055)
    assert again.env["ACTION_SERVER_TOKEN"] != token, "a fresh secret for each run"


def test_a_practice_can_opt_in_to_telemetry(monkeypatch):
    monkeypatch.setenv("RASA_TELEMETRY_ENABLED", "true")
    assert launcher.rasa_services(5005, 5055)[1].env["RASA_TELEMETRY_ENABLED"] == "true"
