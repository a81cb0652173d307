"""Turning channels on from the environment, and the credentials file Rasa reads."""

import pytest
import yaml
from rasa.core.run import create_http_input_channels

from bot.channels import credentials as config
from bot.channels.messenger import MessengerInput
from bot.channels.slack import SlackInput
from bot.channels.telegram import TelegramInput
from bot.channels.twilio import TwilioSmsInput, TwilioWhatsAppInput
from bot.settings import ConfigurationError

ALL = {
    "TELEGRAM_TOKEN": "123:telegram-token",
    "TELEGRAM_WEBHOOK_URL": "https://bot.example.org.uk/webhooks/telegram/webhook",
    "TELEGRAM_SECRET_TOKEN": "telegram_secret-1",
    "TWILIO_ACCOUNT_SID": "AC123",
    "TWILIO_AUTH_TOKEN": "twilio-token",
    "TWILIO_NUMBER": "+447700900000",
    "TWILIO_WHATSAPP_NUMBER": "+14155238886",
    "TWILIO_WEBHOOK_URL": "https://bot.example.org.uk",
    "FACEBOOK_PAGE_ACCESS_TOKEN": "page-token",
    "FACEBOOK_VERIFY": "verify-me",
    "FACEBOOK_SECRET": "app-secret",
    "SLACK_TOKEN": "xoxb-slack",
    "SLACK_SIGNING_SECRET": "slack-signing",
}
SECRETS = (
    "123:telegram-token",
    "telegram_secret-1",
    "twilio-token",
    "page-token",
    "verify-me",
    "app-secret",
    "xoxb-slack",
    "slack-signing",
)


def test_no_variables_no_channels():
    assert config.configured_channels({}) == []
    assert "none configured" in config.describe([], {})


def test_each_channel_is_switched_on_by_its_own_variables():
    names = [c.name for c in config.configured_channels(ALL)]
    assert names == ["telegram", "sms", "whatsapp", "facebook", "slack"]
    only_sms = {k: v for k, v in ALL.items() if k.startswith("TWILIO") and k != "TWILIO_WHATSAPP_NUMBER"}
    assert [c.name for c in config.configured_channels(only_sms)] == ["sms"]


def test_a_channel_missing_a_variable_says_which():
    with pytest.raises(ConfigurationError, match="TELEGRAM_SECRET_TOKEN"):
        config.configured_channels({k: v for k, v in ALL.items() if k != "TELEGRAM_SECRET_TOKEN"})
    with pytest.raises(ConfigurationError, match="FACEBOOK_SECRET"):
        config.configured_channels({**ALL, "FACEBOOK_SECRET": " "})
    with pytest.raises(ConfigurationError, match="https"):
        config.configured_channels({**ALL, "TELEGRAM_WEBHOOK_URL": "http://bot.example.org.uk/x"})
    with pytest.raises(ConfigurationError, match="letters, digits"):
        config.configured_channels({**ALL, "TELEGRAM_SECRET_TOKEN": "has spaces"})


def test_variables_of_a_channel_that_is_off_are_flagged():
    env = {"SLACK_SIGNING_SECRET": "x"}
    assert config.configured_channels(env) == []
    assert "set SLACK_TOKEN" in config.describe([], env)


def test_launcher_lists_channels_with_their_webhook_paths():
    text = config.describe(config.configured_channels(ALL), ALL)
    for path in (
        "/webhooks/telegram/webhook",
        "/webhooks/sms/webhook",
        "/webhooks/whatsapp/webhook",
        "/webhooks/facebook/webhook",
        "/webhooks/slack/webhook",
    ):
        assert path in text
    assert "https://bot.example.org.uk/webhooks/sms/webhook" in text
    assert not any(secret in text for secret in SECRETS)


def test_credentials_file_holds_no_secrets_and_rasa_builds_every_connector(tmp_path, monkeypatch):
    path = config.write_credentials(config.configured_channels(ALL), tmp_path / "credentials.yml")
    written = path.read_text()
    assert not any(secret in written for secret in SECRETS)
    assert "${TWILIO_AUTH_TOKEN}" in written
    base = yaml.safe_load(config.BASE_CREDENTIALS.read_text())
    assert set(base) <= set(yaml.safe_load(written)), "every channel of credentials.yml stays on"
    for name, value in ALL.items():
        monkeypatch.setenv(name, value)
    channels = {type(c): c for c in create_http_input_channels(None, str(path))}
    assert channels[TelegramInput].secret_token == "telegram_secret-1"
    assert channels[TwilioSmsInput].number == "+447700900000"
    assert channels[TwilioWhatsAppInput].number == "whatsapp:+14155238886"
    assert channels[TwilioSmsInput].webhook_url == "https://bot.example.org.uk"
    assert channels[MessengerInput].app_secret == "app-secret"
    assert channels[SlackInput].signing_secret == "slack-signing"


def test_env_file_is_read_without_overriding_the_environment(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(
        "# Telegram\nexport TELEGRAM_TOKEN='123:abc'\n\nSLACK_TOKEN=\"xoxb-1\"\nPRACTICE_PHONE=0800 1\n"
    )
    environ = {"PRACTICE_PHONE": "0808 101 0337"}
    assert config.load_env_file(env_file, environ) == ["TELEGRAM_TOKEN", "SLACK_TOKEN"]
    assert environ == {
        "PRACTICE_PHONE": "0808 101 0337",
        "TELEGRAM_TOKEN": "123:abc",
        "SLACK_TOKEN": "xoxb-1",
    }
    assert config.load_env_file(tmp_path / "missing", environ) == []
    env_file.write_text("just words\n")
    with pytest.raises(ConfigurationError, match="line 1"):
        config.load_env_file(env_file, {})


def test_prepare_writes_to_var_dir(tmp_path):
    environ = {"VAR_DIR": str(tmp_path), "SLACK_TOKEN": "xoxb", "SLACK_SIGNING_SECRET": "s"}
    path, channels = config.prepare(environ)
    assert path == tmp_path / "credentials.generated.yml" and [c.name for c in channels] == ["slack"]


def test_every_connector_is_built_from_the_fields_it_declares():
    for spec in config.specs():
        module, _, name = spec.connector.rpartition(".")
        connector = getattr(__import__(module, fromlist=[name]), name)
        assert spec.fields is connector.fields and spec.name == connector.channel_name
        required = {f.key: f"value-of-{f.key}" for f in spec.fields if f.default is None}
        built = connector.from_credentials({**required, "api_url": ""})
        for field in spec.fields:
            value = getattr(built, field.attr or field.key)
            assert value.endswith(required.get(field.key, field.default)), (spec.name, field.key)
        missing = next(iter(required))
        with pytest.raises(ValueError, match=[f.env for f in spec.fields if f.key == missing][0]):
            connector.from_credentials({k: v for k, v in required.items() if k != missing})
