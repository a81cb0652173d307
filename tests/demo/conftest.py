"""Fixtures for the widget's browser tests: the real servers behind the demo page, and Chromium."""

from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from playwright.sync_api import sync_playwright

from processes import catalogue
from processes.lifecycle import running
from tests.demo.widget_harness import CHROMIUM, CHROMIUM_ARGS
from tests.support.servers import free_port, running_bot


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Rasa, the action server and the demo page, with the page's origin as the only one allowed."""
    work = tmp_path_factory.mktemp("widget")
    web_port = free_port()
    origins = [f"http://127.0.0.1:{web_port}", f"http://localhost:{web_port}"]
    env = {"WEB_ALLOWED_ORIGINS": ",".join(origins), "CALLBACK_KEY": Fernet.generate_key().decode()}
    with running_bot(work, extra_env=env, extra_args=["--cors", *origins]) as bot:
        with running([catalogue.demo_page(web_port, socket_url=bot.rasa_url, env=env)], work):
            yield {"url": f"{origins[0]}/", "bot": bot, "callback_key": env["CALLBACK_KEY"].encode()}


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), "Chromium is missing: run scripts/ensure-chromium (make test-e2e does)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
