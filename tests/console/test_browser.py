"""The console in a real browser (Playwright driving Debian's Chromium, headless).

The console runs as ``python -m bot.console serve`` on a free port over a SQLite database
of synthetic conversations, so no trained model is needed. With CONSOLE_SCREENSHOTS=1 the
test also saves docs/console-list.png and docs/console-analytics.png for the docs.
"""

from __future__ import annotations

import csv
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from bot.console.db import make_engine, schema
from bot.console.db.migrations import migrate
from bot.console.synthetic import ConversationBuilder, random_conversation
from tests.support.servers import ROOT, free_port, stop, wait_for

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH = dict(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu",
                                                   "--disable-background-networking"])
ADMIN, PASSWORD = "browser-admin", "a long browser password"
DAY = 86_400


def seed(url: str) -> None:
    engine = make_engine(url)
    migrate(engine)
    rng, now, rows = random.Random(5), time.time(), []
    for n in range(400):
        rows += random_conversation(rng, f"visitor-{n:04d}", now - rng.uniform(0, 28) * DAY).rows()
    rows += ConversationBuilder("crisis-visitor", now - 600).said("hello", "greet", "utter_greet") \
        .crisis("I can't go on").rows()
    with engine.begin() as conn:
        conn.execute(schema.events.insert(), rows)
    engine.dispose()


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed: apt-get install -y chromium (scripts/ensure-chromium)")
    work = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{work / 'conversations.db'}"
    seed(url)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CONSOLE_DB_URL": url, "CONSOLE_PORT": str(port),
           "CONSOLE_ADMIN_USER": ADMIN, "CONSOLE_ADMIN_PASSWORD": PASSWORD}
    log = open(work / "console.log", "wb")
    process = subprocess.Popen([sys.executable, "-m", "bot.console", "serve"], cwd=ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for(f"http://127.0.0.1:{port}/login", process, timeout=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


@pytest.fixture(scope="module")
def browser(console):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**LAUNCH)
        yield browser
        browser.close()


def test_nothing_is_reachable_when_logged_out(console, browser):
    page = browser.new_page()
    for path in ("/", "/conversations?crisis=yes", "/transcript/crisis-visitor", "/unanswered", "/analytics",
                 "/audit", "/conversations/delete?id=crisis-visitor"):
        page.goto(console + path)
        assert page.url.startswith(console + "/login"), path
        assert "I can't go on" not in page.content()
    assert requests.get(console + "/export/conversations.csv", allow_redirects=False, timeout=10).status_code == 302
    page.close()


def test_a_reviewer_session_from_login_to_export(console, browser, tmp_path):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(console + "/")
    page.get_by_label("Username").fill(ADMIN)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Conversations")).to_be_visible()
    if os.environ.get("CONSOLE_SCREENSHOTS"):
        page.screenshot(path=str(ROOT / "docs" / "console-list.png"))

    page.get_by_label("Crisis").select_option("yes")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/conversations?*crisis=yes*")
    rows = page.locator("table.conversations tbody tr")
    assert rows.count() >= 1
    assert rows.locator(".badge.crisis").count() == rows.count(), "every row is a crisis conversation"

    page.get_by_role("link", name="hello").first.click()
    page.wait_for_url("**/transcript/crisis-visitor*")
    expect(page.get_by_text("I can't go on")).to_be_visible()
    page.get_by_label("New tag").fill("safeguarding")
    page.get_by_role("button", name="Add tag").click()
    expect(page.locator("ul.tags .tag", has_text="safeguarding")).to_be_visible()
    page.get_by_role("button", name="Mark reviewed").click()
    expect(page.get_by_text(f"Reviewed by {ADMIN}")).to_be_visible()

    page.goto(console + "/conversations?crisis=yes&tag=safeguarding&reviewed=yes")
    expect(page.locator("table.conversations tbody tr")).to_have_count(1)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").click()
    exported = tmp_path / "export.csv"
    download_info.value.save_as(exported)
    with exported.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["conversation_id"] for row in rows} == {"crisis-visitor"}
    assert any(row["text"] == "I can't go on" and row["crisis"] == "1" for row in rows)

    page.goto(console + "/analytics")
    expect(page.locator("svg.chart")).to_have_count(5)
    if os.environ.get("CONSOLE_SCREENSHOTS"):
        page.screenshot(path=str(ROOT / "docs" / "console-analytics.png"), full_page=True)

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    page.goto(console + "/conversations")
    assert page.url.startswith(console + "/login")
    context.close()
