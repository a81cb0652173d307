"""bot/channels/replies.py: the replies channels send themselves come from domain.yml, for
REST and the widget alike, with practice details filled in and no model needed."""

import pytest
import yaml

from bot.channels import replies
from bot.channels.replies import CHANNEL_REPLIES, channel_reply
from bot.channels.safe_rest import SafeRestInput
from bot.channels.widget import too_long_reply
from bot.settings import practice
from tests.support.project import ROOT


@pytest.fixture
def edited_domain(tmp_path, monkeypatch):
    """domain.yml with each channel reply's text replaced by one naming the reply."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    for name in CHANNEL_REPLIES:
        domain["responses"][name] = [
            {"text": f"Edited {name}: up to {{max_chars}}, call {{practice_phone}}."}
        ]
    path = tmp_path / "domain.yml"
    path.write_text(yaml.safe_dump(domain), encoding="utf-8")
    monkeypatch.setattr(replies, "DOMAIN_FILE", path)
    replies.channel_replies.cache_clear()
    yield
    replies.channel_replies.cache_clear()


def test_editing_the_domain_changes_the_rest_and_the_widget_reply(edited_domain):
    phone = practice().phone
    assert too_long_reply(300) == f"Edited utter_message_too_long: up to 300, call {phone}."
    (rest,) = SafeRestInput.polite("utter_message_too_long", "visitor", max_chars=300)
    assert rest == {"recipient_id": "visitor", "text": too_long_reply(300)}
    for name in ("utter_rate_limited", "utter_try_again_later"):
        (rest,) = SafeRestInput.polite(name, "visitor")
        assert rest["text"].startswith(f"Edited {name}: up to {{max_chars}}, call {phone}")


def test_the_shipped_replies_carry_the_practice_line_and_the_emergency_number():
    p = practice()
    for name in CHANNEL_REPLIES:
        text = channel_reply(name, max_chars=2000)
        assert p.phone in text and p.crisis_emergency in text and "{" not in text, name


def test_a_domain_without_one_of_them_stops_the_start(tmp_path, monkeypatch):
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    del domain["responses"]["utter_rate_limited"]
    path = tmp_path / "domain.yml"
    path.write_text(yaml.safe_dump(domain), encoding="utf-8")
    monkeypatch.setattr(replies, "DOMAIN_FILE", path)
    replies.channel_replies.cache_clear()
    try:
        with pytest.raises(ValueError, match="utter_rate_limited"):
            replies.channel_replies()
    finally:
        replies.channel_replies.cache_clear()
