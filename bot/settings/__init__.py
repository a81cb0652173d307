"""Configuration in one place: practice facts from ``practice.yml``, runtime from the environment.

Everything the assistant needs to know about the practice it serves (name, phone line,
crisis numbers...) and where it stores conversations is read here, once, and nowhere else.
Callers use ``from bot import settings; settings.practice()``; the modules say where each
setting belongs:

- ``practice_details``: the practice's details and the crisis lines
- ``alerts``: the duty alert email
- ``web``: the website widget's look, origins, resume tokens and callbacks
- ``runtime``: environment-only settings (stores, input limits, Rasa's HTTP API, Redis)
- ``secrets``: tokens and keys, and what production requires of them
- ``common``: the project root, the configuration error and the value parsers they share

(No module is named after a function it holds, e.g. ``practice``: the package attribute
would then depend on import order.)
"""

from bot.settings.alerts import DutyAlert, duty_alert, load_duty_alert
from bot.settings.common import PRACTICE_FILE, PROJECT_ROOT, ConfigurationError
from bot.settings.practice_details import NATIONS, Practice, load_practice, practice, tel_digits
from bot.settings.runtime import (
    InputLimits,
    input_limits,
    journal_dir,
    rasa_api_args,
    replay_store_url,
    tracker_db_url,
)
from bot.settings.secrets import action_server_token, conversation_id_key, production, rest_channel_token
from bot.settings.web import (
    Widget,
    callback_key,
    callback_retention_days,
    contrast_ratio,
    load_widget,
    web_allowed_origins,
    web_port,
    web_session_secret,
    web_socket_url,
    widget,
)

__all__ = [
    "NATIONS",
    "PRACTICE_FILE",
    "PROJECT_ROOT",
    "ConfigurationError",
    "DutyAlert",
    "InputLimits",
    "Practice",
    "Widget",
    "action_server_token",
    "callback_key",
    "callback_retention_days",
    "contrast_ratio",
    "conversation_id_key",
    "duty_alert",
    "input_limits",
    "journal_dir",
    "load_duty_alert",
    "load_practice",
    "load_widget",
    "practice",
    "production",
    "rasa_api_args",
    "replay_store_url",
    "rest_channel_token",
    "tel_digits",
    "tracker_db_url",
    "web_allowed_origins",
    "web_port",
    "web_session_secret",
    "web_socket_url",
    "widget",
]
