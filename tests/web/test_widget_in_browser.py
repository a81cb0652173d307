"""The website widget in a real browser: Debian's Chromium, driven by Playwright.

The real Rasa and action servers answer (tests/support/servers.py), bot.web.server serves
the demo page, and nothing is mocked. ``UPDATE_SCREENSHOTS=1`` also refreshes
docs/widget-screenshot.png.
"""

import json
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
import yaml
from playwright.sync_api import expect, sync_playwright

from bot.settings import practice
from tests.support.servers import ROOT, free_port, running_bot, start_process, stop, wait_for

pytestmark = pytest.mark.model

CHROMIUM = "/usr/bin/chromium"  # Debian's (scripts/ensure-chromium); Playwright cannot fetch its own here
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
WAIT_MS = 30_000  # a reply: the model's first answers can be slow on a busy 2-core machine
SCREENSHOT = ROOT / "docs" / "widget-screenshot.png"
expect.set_options(timeout=15_000)  # anything else on screen, e.g. after the socket reconnects


def answer_opening(response: str) -> str:
    """The first sentence of a response (domain.yml or the curated FAQ), as the widget shows it."""
    responses = {}
    for source in (ROOT / "domain.yml", ROOT / "data" / "responses" / "faq.yml"):
        responses.update(yaml.safe_load(source.read_text(encoding="utf-8"))["responses"])
    return responses[response][0]["text"].format(**practice().template_values()).split(". ")[0]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Rasa, the action server and the demo page, with the page's origin as the only one allowed."""
    work = tmp_path_factory.mktemp("widget")
    web_port = free_port()
    origins = [f"http://127.0.0.1:{web_port}", f"http://localhost:{web_port}"]
    allowed = {"WEB_ALLOWED_ORIGINS": ",".join(origins)}
    with running_bot(work, extra_env=allowed, extra_args=["--cors", *origins]) as bot:
        web = start_process(
            "web",
            [sys.executable, "-m", "bot.web.server", "--port", str(web_port), "--socket-url", bot.rasa_url],
            {**os.environ, "PYTHONPATH": str(ROOT)},
            work,
        )
        try:
            wait_for(f"{origins[0]}/", web)
            yield {"url": f"{origins[0]}/", "bot": bot}
        finally:
            stop(web)


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), "Chromium is missing: run scripts/ensure-chromium (make test-e2e does)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Visit:
    """One visitor's tab: records every request it makes and every security-policy complaint."""

    def __init__(self, browser, url, **context_options):
        self.context = browser.new_context(**context_options)
        self.page = self.context.new_page()
        self.addresses, self.problems = [], []
        self.page.on("request", lambda request: self.addresses.append(request.url))
        self.page.on("websocket", lambda socket: self.addresses.append(socket.url))
        self.page.on("pageerror", lambda error: self.problems.append(str(error)))
        self.page.on("console", self._note_policy_violation)
        self.page.goto(url)

    def _note_policy_violation(self, message):
        if "Content Security Policy" in message.text:
            self.problems.append(message.text)

    def open_chat(self):
        self.page.locator(".rw-launcher").click()
        expect(self.page.locator(".rw-conversation-container")).to_be_visible()

    def say(self, text):
        self.page.locator(".rw-new-message").fill(text)
        self.page.locator(".rw-new-message").press("Enter")

    def reply(self, text):
        return self.page.locator(".rw-response", has_text=text)

    def session_id(self):
        return json.loads(self.page.evaluate("sessionStorage.getItem('chat_session')"))["session_id"]

    def remote_addresses(self):
        return [a for a in self.addresses if urlsplit(a).scheme not in ("data", "blob")
                and urlsplit(a).hostname not in LOCAL_HOSTS]


def test_a_visitor_chats_through_the_widget(site, browser, tmp_path):
    facts = practice()
    visit = Visit(browser, site["url"], viewport={"width": 1280, "height": 800})
    page = visit.page

    visit.open_chat()
    greeting = visit.reply(answer_opening("utter_greet"))
    expect(greeting).to_be_visible(timeout=WAIT_MS)
    expect(page.locator(".rw-reply", has_text="What happens in a session?")).to_be_visible(timeout=WAIT_MS)
    page.screenshot(path=str(SCREENSHOT if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path / "widget.png"))

    page.locator(".rw-reply", has_text="What happens in a session?").click()
    expect(visit.reply(answer_opening("utter_faq/session"))).to_be_visible(timeout=WAIT_MS)

    visit.say("could therapy make me feel worse?")
    expect(visit.reply(answer_opening("utter_faq/side_effects"))).to_be_visible(timeout=WAIT_MS)

    visit.say("Can I talk to a person?")
    expect(page.locator(f'a.rw-reply[href="tel:{facts.phone_tel}"]')).to_be_visible(timeout=WAIT_MS)

    visit.say("I want to end my life")
    crisis = page.locator(".rw-response.rw-crisis")
    expect(crisis.filter(has_text=facts.crisis_shout_text)).to_be_visible(timeout=WAIT_MS)
    expect(crisis.last).to_contain_text(facts.phone)  # the last paragraph: shown in full
    crisis_text = " ".join(crisis.all_inner_texts())
    for number in (facts.crisis_emergency, facts.crisis_samaritans, facts.crisis_shout_text):
        assert number in crisis_text
    expect(page.locator(f'a.rw-reply[href="tel:{facts.crisis_emergency}"]')).to_be_visible()
    background = "el => getComputedStyle(el).backgroundColor"
    assert crisis.first.evaluate(background) != greeting.first.evaluate(background), "the crisis reply stands out"

    # The widget's customData reached the tracker with the visitor's message.
    session_id = visit.session_id()
    with sa.create_engine(site["bot"].db_url).connect() as db:
        stored = db.execute(sa.text("select data from events where sender_id = :s and type_name = 'user'"),
                            {"s": session_id}).fetchall()
    assert stored and all(json.loads(row.data)["metadata"]["page"] == "/" for row in stored)

    page.reload()
    expect(page.locator(".rw-launcher")).to_be_visible()
    expect(page.locator(".rw-conversation-container")).to_be_visible()  # still open, as it was
    expect(crisis.filter(has_text=facts.crisis_shout_text)).to_be_visible()
    expect(greeting).to_have_count(1)  # the conversation was kept, not started again
    assert visit.session_id() == session_id

    page.get_by_role("button", name="Clear conversation").click()
    page.wait_for_load_state()
    visit.open_chat()
    expect(greeting).to_be_visible(timeout=WAIT_MS)
    expect(crisis).to_have_count(0)
    assert visit.session_id() != session_id

    assert visit.remote_addresses() == [], "the page loads nothing from any other host"
    assert visit.problems == []
    visit.context.close()


def test_keyboard_only_at_phone_width(site, browser):
    visit = Visit(browser, site["url"], viewport={"width": 375, "height": 740})
    page = visit.page
    launcher = page.locator(".rw-launcher")
    expect(launcher).to_be_visible()

    def tab_to(selector):
        for _ in range(40):
            page.keyboard.press("Tab")
            if page.evaluate(f"document.activeElement.matches({selector!r})"):
                return
        pytest.fail(f"Tab never reached {selector}")

    tab_to(".rw-launcher")
    page.keyboard.press("Enter")
    expect(page.locator(".rw-reply").first).to_be_visible(timeout=WAIT_MS)  # the greeting's topics
    tab_to(".rw-reply")
    first_topic = page.evaluate("document.activeElement.textContent")
    assert first_topic == "What is psychodynamic therapy?"
    page.keyboard.press("Enter")
    expect(visit.reply(answer_opening("utter_faq/what_is"))).to_be_visible(timeout=WAIT_MS)

    box = page.locator(".rw-conversation-container").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375, "the chat fits a 375px phone screen"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, "no sideways scrolling"
    assert visit.remote_addresses() == [] and visit.problems == []
    visit.context.close()
