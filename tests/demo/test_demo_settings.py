"""The widget's settings: colours and welcome line from practice.yml, allowed pages from the environment."""

import pytest

from bot.settings import ConfigurationError, contrast_ratio, load_widget, web_allowed_origins, web_socket_url

WIDGET_YML = """
practice: {name: "Test Practice"}
widget:
  welcome: "Ask us about therapy."
  colour: "#1f5f5b"
  text_colour: "#ffffff"
"""


@pytest.fixture
def practice_file(tmp_path):
    path = tmp_path / "practice.yml"
    path.write_text(WIDGET_YML, encoding="utf-8")
    return path


def test_widget_settings_come_from_practice_yml(practice_file):
    widget = load_widget(practice_file, environ={})
    assert (widget.welcome, widget.colour, widget.text_colour) == (
        "Ask us about therapy.",
        "#1f5f5b",
        "#ffffff",
    )


def test_environment_overrides_the_file(practice_file):
    widget = load_widget(practice_file, environ={"WIDGET_COLOUR": "#000", "WIDGET_WELCOME": "Hello"})
    assert (widget.colour, widget.welcome) == ("#000", "Hello")


@pytest.mark.parametrize("colour", ["red", "#12345", "#1f5f5b; background:url(x)"])
def test_only_hex_colours_are_accepted(practice_file, colour):
    with pytest.raises(ConfigurationError, match="hex colour"):
        load_widget(practice_file, environ={"WIDGET_COLOUR": colour})


def test_unreadable_colour_pairs_are_refused(practice_file):
    with pytest.raises(ConfigurationError, match="contrast"):
        load_widget(practice_file, environ={"WIDGET_COLOUR": "#777777", "WIDGET_TEXT_COLOUR": "#888888"})


def test_contrast_ratio_matches_wcag_extremes():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#fff", "#ffffff") == pytest.approx(1.0)


def test_the_project_practice_file_is_valid():
    load_widget()  # practice.yml as committed


def test_allowed_origins_default_to_the_demo_page():
    assert web_allowed_origins({}) == ["http://127.0.0.1:8080", "http://localhost:8080"]
    assert web_allowed_origins({"WEB_PORT": "9000"}) == ["http://127.0.0.1:9000", "http://localhost:9000"]


def test_allowed_origins_from_the_environment():
    environ = {"WEB_ALLOWED_ORIGINS": "https://www.example.org.uk/, https://example.org.uk"}
    assert web_allowed_origins(environ) == ["https://www.example.org.uk", "https://example.org.uk"]


@pytest.mark.parametrize(
    "value", ["*", "https://*.example.org.uk", "https://example.org.uk/chat", "example.org.uk"]
)
def test_wildcards_and_non_origins_are_refused(value):
    with pytest.raises(ConfigurationError, match="WEB_ALLOWED_ORIGINS"):
        web_allowed_origins({"WEB_ALLOWED_ORIGINS": value})


def test_socket_url_defaults_to_the_local_rasa_server():
    assert web_socket_url({}) == "http://127.0.0.1:5005"
    assert web_socket_url({"RASA_PORT": "5105"}) == "http://127.0.0.1:5105"
    assert web_socket_url({"WEB_SOCKET_URL": "https://chat.example.org.uk/"}) == "https://chat.example.org.uk"
