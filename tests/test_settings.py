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
