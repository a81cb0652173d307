"""Nobody let in: Rasa's HTTP API is off unless asked for and then needs a JWT, browsers from
other sites get no CORS permission, and one sender or address cannot flood the assistant.
"""

import jwt
import pytest
import requests

from bot import serve, settings
from bot.settings import ConfigurationError, practice
from processes import launcher
from tests.support.servers import running_bot

SECRET = "test-secret-0123456789-abcdefghijklmnop"
ALLOWED_ORIGIN = "https://www.example-practice.org.uk"
EVIL_ORIGIN = "https://evil.example"


# --- configuration (no server) ---------------------------------------------------------


@pytest.mark.parametrize("value", [None, "", "0", "true", "yes"])
def test_the_api_is_off_unless_rasa_enable_api_is_1(value):
    environ = {} if value is None else {"RASA_ENABLE_API": value, "RASA_JWT_SECRET": SECRET}
    assert settings.rasa_api_args(environ) == []


@pytest.mark.parametrize("secret", [None, "", "short-secret"])
def test_the_api_is_refused_without_a_long_jwt_secret(secret):
    environ = {"RASA_ENABLE_API": "1", **({"RASA_JWT_SECRET": secret} if secret is not None else {})}
    with pytest.raises(ConfigurationError, match="RASA_JWT_SECRET"):
        settings.rasa_api_args(environ)


def test_with_a_secret_the_api_is_jwt_protected():
    args = settings.rasa_api_args({"RASA_ENABLE_API": "1", "RASA_JWT_SECRET": SECRET})
    assert args[:1] == ["--enable-api"] and args[args.index("--jwt-secret") + 1] == SECRET


def test_the_launcher_refuses_to_start_the_api_without_a_secret(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(launcher.channels_config, "prepare", lambda: (tmp_path / "credentials.yml", []))
    monkeypatch.setenv("RASA_ENABLE_API", "1")
    monkeypatch.delenv("RASA_JWT_SECRET", raising=False)
    assert launcher.main([]) == 1
    assert "RASA_JWT_SECRET" in capsys.readouterr().err


def test_the_launcher_starts_rasa_without_the_api_by_default(monkeypatch):
    monkeypatch.delenv("RASA_ENABLE_API", raising=False)
    command = launcher.services(5005, 5055)[1].command
    assert "--enable-api" not in command and "--jwt-secret" not in command
    assert serve.parse_args(command[3:] + settings.rasa_api_args()).enable_api is False


# --- against running servers -------------------------------------------------------------


@pytest.fixture(scope="module")
def api_bot(tmp_path_factory):
    work = tmp_path_factory.mktemp("api-on")
    env = {
        "RASA_ENABLE_API": "1",
        "RASA_JWT_SECRET": SECRET,
        "WEB_ALLOWED_ORIGINS": ALLOWED_ORIGIN,
        "RATE_LIMIT_PER_MINUTE": "3",
        "RATE_LIMIT_PER_ADDRESS_PER_MINUTE": "8",
        "JOURNAL_DIR": str(work / "journal"),
    }
    # bot.serve reads the API switch and the CORS origins from this environment, as under `make run`
    with running_bot(work, extra_env=env) as bot:
        yield bot


def token(secret=SECRET, username="alice", role="admin"):
    return jwt.encode({"user": {"username": username, "role": role}}, secret, algorithm="HS256")


@pytest.mark.model
def test_with_the_api_off_its_routes_do_not_exist(default_bot):
    for method, path in [
        ("GET", "/conversations/alice/tracker"),
        ("GET", "/status"),
        ("POST", "/model/parse"),
        ("POST", "/conversations/alice/messages"),
        ("PUT", "/model"),
    ]:
        response = requests.request(method, default_bot.rasa_url + path, json={"text": "hi"}, timeout=10)
        assert response.status_code == 404, (method, path, response.status_code)


@pytest.mark.model
@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/conversations/alice/tracker"),
        ("GET", "/status"),
        ("POST", "/model/parse"),
        ("POST", "/conversations/alice/messages"),
        ("PUT", "/conversations/alice/tracker/events"),
    ],
)
def test_with_the_api_on_every_route_needs_a_valid_token(api_bot, method, path):
    url = api_bot.rasa_url + path
    body = {"text": "hi", "sender": "user", "event": "slot", "name": "crisis_flagged", "value": False}
    for headers in (
        {},
        {"Authorization": "Bearer nonsense"},
        {"Authorization": f"Bearer {token(secret='another-secret-0123456789-abcdefghijk')}"},
    ):
        response = requests.request(method, url, json=body, headers=headers, timeout=10)
        assert response.status_code in (401, 403), (path, headers, response.status_code)


@pytest.mark.model
def test_a_valid_token_opens_the_api(api_bot):
    response = requests.get(
        f"{api_bot.rasa_url}/conversations/alice/tracker",
        headers={"Authorization": f"Bearer {token()}"},
        timeout=10,
    )
    assert response.status_code == 200  # proves the 401s above are the JWT check, not a broken route


@pytest.mark.model
@pytest.mark.parametrize("path", ["/webhooks/rest/webhook", "/conversations/alice/tracker", "/"])
def test_a_page_on_another_site_gets_no_cors_permission(api_bot, path):
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    evil = requests.options(api_bot.rasa_url + path, headers={"Origin": EVIL_ORIGIN, **preflight}, timeout=10)
    assert "Access-Control-Allow-Origin" not in evil.headers
    evil_get = requests.get(api_bot.rasa_url + path, headers={"Origin": EVIL_ORIGIN}, timeout=10)
    assert "Access-Control-Allow-Origin" not in evil_get.headers
    good = requests.options(
        api_bot.rasa_url + path, headers={"Origin": ALLOWED_ORIGIN, **preflight}, timeout=10
    )
    assert good.headers.get("Access-Control-Allow-Origin") == ALLOWED_ORIGIN


@pytest.mark.model
def test_a_flood_is_slowed_politely_per_sender_then_per_address(api_bot):
    def say(sender):
        return requests.post(api_bot.rest_url, json={"sender": sender, "message": "hello"}, timeout=60)

    assert [say("flood-1").status_code for _ in range(3)] == [200, 200, 200]
    limited = say("flood-1")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert practice().phone in limited.text and practice().crisis_emergency in limited.text
    assert [say("flood-2").status_code for _ in range(3)] == [200, 200, 200], "another sender is not affected"
    # 6 accepted from this address so far (refused ones do not count); the limit is 8
    assert [say("flood-3").status_code for _ in range(3)] == [200, 200, 429]
    assert practice().crisis_samaritans in say("flood-4").text
