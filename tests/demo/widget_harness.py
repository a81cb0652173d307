"""The widget's browser harness: a visitor's tab (``Visit``), what it waits for and where
screenshots go. The fixtures that start the servers and Chromium are in conftest.py beside it."""

import json
import os
from urllib.parse import urlsplit

import yaml
from playwright.sync_api import expect

from bot.settings import practice
from tests.support.servers import ROOT

CHROMIUM = "/usr/bin/chromium"  # Debian's (scripts/ensure-chromium); Playwright cannot fetch its own here
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
WAIT_MS = 30_000  # a reply: the model's first answers can be slow on a busy 2-core machine
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
AXE = ROOT / "demo" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
LAUNCHER = "Chat with our assistant"
expect.set_options(timeout=15_000)


def screenshot_path(name, tmp_path):
    return ROOT / "docs" / name if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path / name


def answer_opening(response: str) -> str:
    """The first sentence of a response (domain.yml or the curated FAQ), as the widget shows it."""
    responses = {}
    for source in (ROOT / "domain.yml", ROOT / "data" / "responses" / "faq.yml"):
        responses.update(yaml.safe_load(source.read_text(encoding="utf-8"))["responses"])
    return responses[response][0]["text"].format(**practice().template_values()).split(". ")[0]


class Visit:
    """One visitor's tab: records every request it makes and every script or policy error."""

    def __init__(self, browser, url, **context_options):
        self.context = browser.new_context(**context_options)
        self.page = self.context.new_page()
        self.addresses, self.problems, self.console = [], [], []
        self.page.on("request", lambda request: self.addresses.append(request.url))
        self.page.on("websocket", lambda socket: self.addresses.append(socket.url))
        self.page.on("pageerror", lambda error: self.problems.append(str(error)))
        self.page.on("console", self._note_console)
        self.page.goto(url)
        self.launcher = self.page.get_by_role("button", name=LAUNCHER)
        self.dialog = self.page.get_by_role("dialog", name=practice().name)
        self.box = self.page.get_by_label("Your message")

    def _note_console(self, message):
        self.console.append(message.text)
        if "Content Security Policy" in message.text:
            self.problems.append(message.text)

    def open_chat(self):
        self.launcher.click()
        expect(self.dialog).to_be_visible()

    def say(self, text):
        self.box.fill(text)
        self.box.press("Enter")

    def reply(self, text):
        return self.page.locator(".chat-message--bot", has_text=text)

    def crisis(self):
        return self.page.locator(".chat-message--crisis")

    def shout_link(self, facts):
        """The crisis reply's "Text SHOUT" button: what a visitor would press to text Shout
        (the number also appears in the reply's text, in more than one bubble)."""
        return self.crisis().get_by_role("link", name=f"Text SHOUT to {facts.crisis_shout_text}", exact=True)

    def session_id(self):
        return json.loads(self.page.evaluate("sessionStorage.getItem('chat_session')"))["sessionId"]

    def announced(self, politeness):
        return self.page.locator(f'[aria-live="{politeness}"]').inner_text()

    def remote_addresses(self):
        return [
            a
            for a in self.addresses
            if urlsplit(a).scheme not in ("data", "blob") and urlsplit(a).hostname not in LOCAL_HOSTS
        ]

    def axe_violations(self):
        """axe-core's violations on the page as it is now: rule id and the first offending node."""
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.evaluate(AXE.read_text(encoding="utf-8"))  # devtools evaluation: not blocked by the CSP
        result = self.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            AXE_TAGS,
        )
        assert len(result["passes"]) >= 20, "axe ran its rules on this page"
        return [
            (v["id"], v["nodes"][0]["target"], v["nodes"][0]["failureSummary"]) for v in result["violations"]
        ]

    def close(self):
        self.context.close()


def focused(page, js="el => el"):
    return page.evaluate(f"({js})(document.activeElement)")
