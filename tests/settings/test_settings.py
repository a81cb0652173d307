"""Practice settings: practice.yml with environment overrides, and clear errors."""

import pytest

from bot.settings import ConfigurationError, load_practice, tel_digits, tracker_db_url


def test_defaults_come_from_practice_yml():
    practice = load_practice(environ={})
    assert practice.phone == "0808 101 0337"  # the referral line in seed 002
    assert practice.crisis_samaritans == "116 123"
    assert practice.phone_tel == "08081010337"


def test_environment_overrides_any_value():
    practice = load_practice(environ={"PRACTICE_PHONE": "0800 123 4567", "PRACTICE_NAME": "Elm Clinic"})
    assert practice.phone == "0800 123 4567" and practice.name == "Elm Clinic"
    assert practice.template_values()["practice_phone_tel"] == "08001234567"


def test_an_empty_setting_is_a_clear_error(tmp_path):
    broken = tmp_path / "practice.yml"
    broken.write_text("practice:\n  name: ''\n")
    with pytest.raises(ConfigurationError, match="PRACTICE_NAME"):
        load_practice(broken, environ={})


def test_unreadable_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigurationError, match="Cannot read"):
        load_practice(tmp_path / "missing.yml", environ={})


def test_tel_digits_keeps_a_leading_plus():
    assert tel_digits("+44 808 101 0337") == "+448081010337"


def test_tracker_db_defaults_to_sqlite_in_var(tmp_path):
    assert tracker_db_url({"VAR_DIR": str(tmp_path)}) == f"sqlite:///{tmp_path / 'conversations.db'}"
    assert tracker_db_url({"TRACKER_DB_URL": "postgresql://x@h/db"}) == "postgresql://x@h/db"


def test_a_link_setting_must_be_a_web_address():
    with pytest.raises(ConfigurationError, match="PRACTICE_HOURS_URL"):
        load_practice(environ={"PRACTICE_HOURS_URL": "javascript:alert(1)"})


def test_the_urgent_line_follows_the_practices_nation():
    from bot.settings import load_practice

    england = load_practice(environ={})
    assert (england.crisis_urgent_name, england.crisis_nhs_urgent, england.crisis_nhs_urgent_option) == (
        "NHS 111",
        "111",
        "2",
    )
    northern_ireland = load_practice(environ={"CRISIS_NATION": "Northern Ireland"})
    assert northern_ireland.crisis_urgent_name == "Lifeline" and "111" not in northern_ireland.urgent_line_how
    assert load_practice(environ={"CRISIS_NATION": "scotland"}).urgent_line_how == "call NHS 24 on 111"
    overridden = load_practice(environ={"CRISIS_NHS_URGENT": "0800 000 0000", "CRISIS_NHS_URGENT_OPTION": ""})
    assert (
        overridden.template_values()["crisis_urgent_tel"] == "08000000000"
        and "option" not in overridden.urgent_line_how
    )


def test_an_unknown_nation_is_refused_with_the_choices():
    import pytest

    from bot.settings import ConfigurationError, load_practice

    with pytest.raises(ConfigurationError, match="northern_ireland"):
        load_practice(environ={"CRISIS_NATION": "atlantis"})


def test_duty_alert_settings_from_the_environment():
    from bot.settings import load_duty_alert

    config = load_duty_alert(
        environ={
            "DUTY_ALERT_SMTP_HOST": "smtp.example.org",
            "DUTY_ALERT_SMTP_PORT": "2525",
            "DUTY_ALERT_STARTTLS": "off",
            "DUTY_ALERT_FROM": "bot@example.org",
            "DUTY_ALERT_TO": "a@example.org, b@example.org",
            "DUTY_ALERT_SMTP_USER": "bot",
            "DUTY_ALERT_SMTP_PASSWORD": "s3cret",
        }
    )
    assert config.enabled and config.smtp_port == 2525 and config.starttls is False
    assert config.recipients == ("a@example.org", "b@example.org") and config.password == "s3cret"


# --- issue 16: secrets production needs ------------------------------------------------


def test_production_needs_each_security_secret_and_development_does_not(tmp_path):
    from bot import settings

    for getter in (settings.rest_channel_token, settings.action_server_token, settings.conversation_id_key):
        with pytest.raises(settings.ConfigurationError):
            getter({"APP_ENV": "production", "VAR_DIR": str(tmp_path)})
        with pytest.raises(settings.ConfigurationError):
            getter({"REST_CHANNEL_TOKEN": "x", "ACTION_SERVER_TOKEN": "x", "CONVERSATION_ID_KEY": "x"})
    assert settings.rest_channel_token({}) == "" and settings.action_server_token({}) == ""


def test_the_development_id_key_is_generated_once_and_private(tmp_path):
    from bot import settings

    key = settings.conversation_id_key({"VAR_DIR": str(tmp_path)})
    assert len(key) >= 32 and settings.conversation_id_key({"VAR_DIR": str(tmp_path)}) == key
    assert (tmp_path / "conversation-id.key").stat().st_mode & 0o777 == 0o600
    assert settings.conversation_id_key({"CONVERSATION_ID_KEY": "k" * 40}) == b"k" * 40


def test_the_replay_store_is_redis_when_configured():
    from bot import settings

    assert settings.replay_store_url({}) == ""
    assert settings.replay_store_url({"REDIS_URL": "redis://r:6379/2"}) == "redis://r:6379/2"
    assert (
        settings.replay_store_url({"REDIS_HOST": "redis", "REDIS_PORT": "6379", "REDIS_DB": "1"})
        == "redis://redis:6379/1"
    )


# --- issue 12: settings is a package of small modules -------------------------------------


def test_the_project_root_is_the_repository_root():
    from bot import settings

    assert (settings.PROJECT_ROOT / "practice.yml").is_file() and (settings.PROJECT_ROOT / "bot").is_dir()
    assert settings.PRACTICE_FILE == settings.PROJECT_ROOT / "practice.yml"


def test_the_package_exports_every_public_setting_and_nothing_shadows_a_module():
    import types

    from bot import settings

    for name in settings.__all__:
        assert not isinstance(getattr(settings, name), types.ModuleType), name
    assert callable(settings.practice) and callable(settings.widget) and callable(settings.duty_alert)


def test_a_practice_file_that_is_not_a_mapping_is_a_clear_error(tmp_path):
    listing = tmp_path / "practice.yml"
    listing.write_text("- name: Elm Clinic\n")
    with pytest.raises(ConfigurationError, match="named sections"):
        load_practice(listing, environ={})


def test_the_settings_modules_import_only_each_other_from_the_project():
    """The action server's image copies bot/settings/ alone (deploy/Dockerfile)."""
    import ast

    from bot import settings

    for path in (settings.PROJECT_ROOT / "bot" / "settings").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            for name in names:
                assert name.split(".")[0] != "bot" or name.startswith("bot.settings"), f"{path.name}: {name}"
