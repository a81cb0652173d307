"""The duty alert email, sent to a real SMTP server on 127.0.0.1 (aiosmtpd) started by the test."""

import asyncio
import logging
import time
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from bot.alerts.duty import DutyAlerter, Flag, compose, transcript_url
from bot.settings import ConfigurationError, load_duty_alert
from tests.support.smtp import PASSWORD, USER, smtp_server

VISITOR_WORDS = "i took all my tablets an hour ago"


def config_for(server, **overrides):
    environ = {
        "DUTY_ALERT_SMTP_HOST": server.host,
        "DUTY_ALERT_SMTP_PORT": str(server.port),
        "DUTY_ALERT_STARTTLS": "false",
        "DUTY_ALERT_FROM": "assistant@practice.example.org.uk",
        "DUTY_ALERT_TO": "duty@practice.example.org.uk, deputy@practice.example.org.uk",
        "CONSOLE_BASE_URL": "https://console.practice.example.org.uk/",
        "DUTY_ALERT_FIRST_RETRY_SECONDS": "0.2",
        **overrides,
    }
    return load_duty_alert(environ=environ)


def flag(conversation_id="web-7f3a", episode=None):
    return Flag(
        conversation_id,
        "socketio",
        datetime(2026, 12, 4, 2, 30, tzinfo=timezone.utc),
        "crisis",
        "ingestion",
        episode or f"{conversation_id}@1.0",
    )


async def alert_and_wait(alerter, *flags):
    tasks = [alerter.alert(f) for f in flags]
    await alerter.drain()
    return tasks


def test_the_alert_arrives_at_once_with_time_channel_and_link_only():
    with smtp_server() as server:
        alerter = DutyAlerter(config_for(server))
        started = time.monotonic()
        asyncio.run(alert_and_wait(alerter, flag()))
        (mail,) = server.wait_for(1)
        assert server.recorder.arrived[0] - started < 5
    body = mail.get_content() if hasattr(mail, "get_content") else mail.get_payload(decode=True).decode()
    assert mail["To"] == "duty@practice.example.org.uk, deputy@practice.example.org.uk"
    assert "2026-12-04 02:30:00 UTC" in body and "socketio" in body
    assert "https://console.practice.example.org.uk/transcript/web-7f3a" in body


def test_the_alert_never_holds_the_visitors_words():
    with smtp_server() as server:
        config = config_for(server)
        message = compose(flag(), config)
        asyncio.run(alert_and_wait(DutyAlerter(config), flag()))
        (mail,) = server.wait_for(1)
    for text in (message.as_string(), mail.as_string()):
        assert "tablets" not in text.lower() and VISITOR_WORDS not in text


def test_a_failed_delivery_is_retried_with_backoff_and_every_attempt_logged(caplog):
    caplog.set_level(logging.INFO, logger="bot.alerts.duty")
    with smtp_server(fail_first=2) as server:
        delays = []

        async def sleep(seconds):
            delays.append(seconds)
            await asyncio.sleep(seconds)

        alerter = DutyAlerter(config_for(server), sleep=sleep)
        asyncio.run(alert_and_wait(alerter, flag()))
        assert len(server.wait_for(1)) == 1
        assert server.recorder.attempts == 3
    assert delays == [0.2, 0.4]
    attempts = [r.getMessage() for r in caplog.records if "Duty alert attempt" in r.getMessage()]
    assert [a.split(" ")[3] for a in attempts] == ["1/6", "2/6", "3/6"]
    assert "failed" in attempts[0] and "sent" in attempts[2]


def test_giving_up_is_logged_as_an_error(caplog):
    with smtp_server(fail_first=99) as server:
        alerter = DutyAlerter(config_for(server, DUTY_ALERT_ATTEMPTS="2", DUTY_ALERT_FIRST_RETRY_SECONDS="0"))
        asyncio.run(alert_and_wait(alerter, flag()))
        assert server.messages == [] and server.recorder.attempts == 2
    assert any(r.levelno == logging.ERROR and "NOT delivered" in r.getMessage() for r in caplog.records)


def test_starttls_and_login(tmp_path):
    with smtp_server(tls=True, folder=tmp_path) as server:
        config = config_for(
            server,
            DUTY_ALERT_STARTTLS="true",
            DUTY_ALERT_SMTP_USER=USER,
            DUTY_ALERT_SMTP_PASSWORD=PASSWORD,
            DUTY_ALERT_SMTP_CA_FILE=server.ca_file,
        )
        asyncio.run(alert_and_wait(DutyAlerter(config), flag()))
        assert len(server.wait_for(1)) == 1


def test_a_wrong_password_or_an_untrusted_certificate_is_not_delivered(tmp_path):
    with smtp_server(tls=True, folder=tmp_path) as server:
        base = dict(DUTY_ALERT_STARTTLS="true", DUTY_ALERT_SMTP_USER=USER, DUTY_ALERT_ATTEMPTS="1")
        wrong = config_for(
            server, DUTY_ALERT_SMTP_PASSWORD="wrong", DUTY_ALERT_SMTP_CA_FILE=server.ca_file, **base
        )
        untrusted = config_for(server, DUTY_ALERT_SMTP_PASSWORD=PASSWORD, **base)  # certificates are checked

        async def both():
            return await DutyAlerter(wrong).deliver(flag()), await DutyAlerter(untrusted).deliver(flag())

        assert asyncio.run(both()) == (False, False)
        assert server.messages == []


def test_nothing_is_sent_when_smtp_is_not_configured():
    with smtp_server() as server:
        unconfigured = replace(config_for(server), smtp_host="")
        alerter = DutyAlerter(unconfigured)

        async def run():
            return alerter.alert(flag())

        assert asyncio.run(run()) is None
        time.sleep(0.5)
        assert server.recorder.attempts == 0
    assert not load_duty_alert(environ={}).enabled  # the shipped practice.yml sends nothing


def test_one_alert_per_conversation_per_episode():
    with smtp_server() as server:
        alerter = DutyAlerter(config_for(server))
        asyncio.run(
            alert_and_wait(alerter, flag("a", "a@1"), flag("a", "a@1"), flag("b", "b@1"), flag("a", "a@2"))
        )
        assert len(server.wait_for(3)) == 3
        time.sleep(0.3)
        assert len(server.messages) == 3


def test_the_alert_does_not_block_the_caller():
    with smtp_server() as server:
        config = config_for(server)

        def slow_send(message, _config):
            time.sleep(1.0)

        async def run():
            alerter = DutyAlerter(config, send=slow_send)
            started = time.monotonic()
            alerter.alert(flag())
            returned_after = time.monotonic() - started
            await alerter.drain()
            return returned_after

        assert asyncio.run(run()) < 0.1


def test_settings_keep_the_password_out_of_practice_yml(tmp_path):
    practice_file = tmp_path / "practice.yml"
    practice_file.write_text("duty_alert:\n  smtp_host: smtp.example.org\n  password: hunter2\n")
    with pytest.raises(ConfigurationError, match="DUTY_ALERT_SMTP_PASSWORD"):
        load_duty_alert(practice_file, environ={})


def test_transcript_link_quotes_the_conversation_id():
    assert transcript_url("https://c.example/", "a b/c") == "https://c.example/transcript/a%20b%2Fc"


def _body(mail):
    return mail.get_content() if hasattr(mail, "get_content") else mail.get_payload(decode=True).decode()


def test_a_callback_known_when_the_alert_goes_says_so_without_details():
    asked = []
    with smtp_server() as server:
        alerter = DutyAlerter(config_for(server), callback_requested=lambda cid: asked.append(cid) or True)
        asyncio.run(alert_and_wait(alerter, flag()))
        (mail,) = server.wait_for(1)
    assert asked == ["web-7f3a"]
    body = _body(mail)
    assert "A callback was requested" in body and "07700" not in body


def test_no_callback_no_line_and_a_later_callback_gets_one_short_second_alert():
    with smtp_server() as server:
        alerter = DutyAlerter(config_for(server), callback_requested=lambda cid: False)

        async def flagged_then_callback():
            alerter.alert(flag())
            await alerter.drain()
            second = alerter.callback("web-7f3a")
            again = alerter.callback("web-7f3a")  # a corrected number: no third mail
            never_flagged = alerter.callback("web-other")
            await alerter.drain()
            return second, again, never_flagged

        second, again, never_flagged = asyncio.run(flagged_then_callback())
        first, later = server.wait_for(2)
    assert second is not None and again is None and never_flagged is None
    assert "A callback was requested" not in _body(first)
    assert "A callback was requested" in _body(later) and later["Subject"].startswith("Urgent: a callback")
    assert "https://console.practice.example.org.uk/transcript/web-7f3a" in _body(later)


def test_a_callback_already_in_the_first_alert_gets_no_second_one():
    with smtp_server() as server:
        alerter = DutyAlerter(config_for(server), callback_requested=lambda cid: True)

        async def run():
            alerter.alert(flag())
            await alerter.drain()
            return alerter.callback("web-7f3a")

        assert asyncio.run(run()) is None
        server.wait_for(1)


def test_a_failing_callback_lookup_still_sends_the_alert():
    def broken(cid):
        raise RuntimeError("database down")

    with smtp_server() as server:
        asyncio.run(alert_and_wait(DutyAlerter(config_for(server), callback_requested=broken), flag()))
        (mail,) = server.wait_for(1)
    assert "A callback was requested" not in _body(mail)
