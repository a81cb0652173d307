"""The console in a real browser (Playwright driving Debian's Chromium, headless).

The console runs as ``python -m console serve`` on a free port over a SQLite database
of synthetic conversations, so no trained model is needed. The tests click what a person
sees (roles and visible labels). Every screen is checked with axe-core (``demo/node_modules``,
pinned in ``demo/package.json``) for zero WCAG violations. With CONSOLE_SCREENSHOTS=1
the tests also save the screens' pictures in docs/ (console-*.png).
"""

from __future__ import annotations

import csv
import os
import random
import time
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from bench.synthetic import ConversationBuilder, random_conversation
from console.db import make_engine, schema
from console.db.migrations import migrate
from processes import catalogue
from processes.lifecycle import ROOT, free_port, running

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "demo" / "node_modules" / "axe-core" / "axe.min.js"  # pinned in demo/package.json
LAUNCH = dict(
    executable_path=str(CHROMIUM),
    args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
)
ADMIN, PASSWORD = "browser-admin", "a long browser password"
DAY = 86_400


def seed(url: str) -> None:
    engine = make_engine(url)
    migrate(engine)
    rng, now, rows = random.Random(5), time.time(), []
    for n in range(400):
        rows += random_conversation(rng, f"visitor-{n:04d}", now - rng.uniform(0, 28) * DAY).rows()
    rows += (
        ConversationBuilder("crisis-visitor", now - 600)
        .said("hello", "greet", "utter_greet")
        .crisis("I can't go on")
        .rows()
    )
    rows += (
        ConversationBuilder("crisis-second", now - 500, "socketio")
        .opened("/contact")
        .crisis("I keep thinking about ending my life")
        .rows()
    )
    rows += (
        ConversationBuilder("crisis-third", now - 400, "whatsapp")
        .crisis("I have taken too many pills")
        .rows()
    )
    rows += (
        ConversationBuilder("risk-visitor", now - 300, "socketio")
        .opened("/about")
        .check_in("everything has felt so heavy lately")
        .rows()
    )
    rows += (
        ConversationBuilder("wrong-answer", now - 200, "socketio")
        .opened("/")
        .said("what actually is therapy?", "share_difficulty", "utter_share_difficulty")
        .rows()
    )
    for n, text in enumerate(
        (
            "can you take my bupa insurance",
            "is there parking outside the practice",
            "may I bring my guide dog to sessions",
        )
    ):
        rows += ConversationBuilder(f"unanswered-{n}", now - 100 + n).fallback(text, confidence=0.1).rows()
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
    env = {"CONSOLE_DB_URL": url, "CONSOLE_ADMIN_USER": ADMIN, "CONSOLE_ADMIN_PASSWORD": PASSWORD}
    with running([catalogue.console(port, env=env)], work) as (console,):
        yield console.url


def axe_violations(page):
    """axe-core's WCAG violations on the page as shown (ids and the elements they concern)."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => (await axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})).violations
        .map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' '))}))""")


def shot(page, name):
    if os.environ.get("CONSOLE_SCREENSHOTS"):
        page.screenshot(path=str(ROOT / "docs" / f"console-{name}.png"), full_page=True)


def log_in(page, console):
    page.goto(console + "/login")
    page.get_by_label("Username").fill(ADMIN)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Conversations")).to_be_visible()


@pytest.fixture
def person(browser):
    """A browser window (the console's CSP is bypassed only so axe-core can be injected)."""
    assert AXE.exists(), "axe-core is not installed: make install (npm ci in demo/)"
    context = browser.new_context(
        accept_downloads=True, viewport={"width": 1400, "height": 1000}, bypass_csp=True
    )
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def browser(console):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**LAUNCH)
        yield browser
        browser.close()


def test_nothing_is_reachable_when_logged_out(console, browser):
    page = browser.new_page()
    for path in (
        "/",
        "/conversations?crisis=yes",
        "/transcript/crisis-visitor",
        "/unanswered",
        "/analytics",
        "/audit",
        "/conversations/delete?id=crisis-visitor",
    ):
        page.goto(console + path)
        assert page.url.startswith(console + "/login"), path
        assert "I can't go on" not in page.content()
    assert (
        requests.get(console + "/export/conversations.csv", allow_redirects=False, timeout=10).status_code
        == 302
    )
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
    page.wait_for_url("**/transcript/crisis-visitor**")
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


def test_file_three_unanswered_questions_and_export_them(console, person, tmp_path):
    page = person
    log_in(page, console)
    page.get_by_role("link", name="Unanswered").click()
    expect(page.get_by_role("heading", name="Unanswered questions")).to_be_visible()
    # "can you take my bupa insurance" means the same as the more often asked "do you take
    # bupa insurance", so it is one of that group's similar wordings.
    bupa = page.get_by_role("row").filter(has=page.get_by_text("do you take bupa insurance", exact=True))
    bupa.get_by_text("similar wording").click()
    expect(page.get_by_text("can you take my bupa insurance")).to_be_visible()
    # Save with nothing chosen says so.
    page.get_by_role("button", name="Save topic for “do you take bupa insurance”").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose a topic for “do you take bupa insurance”")
    # One group on its own: its visible topic choice, then its Save button.
    page.get_by_label("Topic for “do you take bupa insurance”", exact=True).select_option(label="Cost")
    page.get_by_role("button", name="Save topic for “do you take bupa insurance”").click()
    expect(page.get_by_role("status")).to_contain_text("under “Cost”")
    # Two more at once: tick them and file them under one topic.
    page.get_by_role("checkbox", name="is there parking outside the practice").check()
    page.get_by_role("checkbox", name="may I bring my guide dog to sessions").check()
    page.get_by_label("File the ticked questions under").select_option(label="What happens in a session")
    page.get_by_role("button", name="File ticked questions").click()
    expect(page.get_by_role("status")).to_contain_text("Filed 2 questions under “What happens in a session”")
    assert axe_violations(page) == []
    page.get_by_label("Show").select_option(label="Filed")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("is there parking outside the practice", exact=True)).to_be_visible()
    shot(page, "unanswered")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export filed questions as NLU training data (YAML)").click()
    exported = tmp_path / "nlu.yml"
    download_info.value.save_as(exported)
    import yaml

    blocks = {b["intent"]: b["examples"] for b in yaml.safe_load(exported.read_text())["nlu"]}
    assert "- can you take my bupa insurance" in blocks["faq/cost"]
    assert "- is there parking outside the practice" in blocks["faq/session"]
    assert "- may I bring my guide dog to sessions" in blocks["faq/session"]


def test_correct_a_wrong_answer_from_a_transcript(console, person):
    page = person
    log_in(page, console)
    page.get_by_label("Search messages").fill("what actually is therapy")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="what actually is therapy?").click()
    expect(page.get_by_text("what actually is therapy?")).to_be_visible()
    expect(page.get_by_text("/greet")).to_have_count(0)
    page.get_by_text("Wrong answer or flag…").click()
    page.get_by_label("Right topic for this message").select_option(label="What psychodynamic therapy is")
    page.get_by_role("button", name="Save correction").click()
    expect(page.get_by_role("status")).to_contain_text("Correction saved")
    expect(page.get_by_text("Corrected to “What psychodynamic therapy is”")).to_be_visible()
    assert axe_violations(page) == []
    shot(page, "transcript")
    page.get_by_role("link", name="← All conversations").click()
    (
        expect(page.get_by_label("Search messages")).to_have_value("what actually is therapy"),
        "the filter was kept",
    )
    page.goto(console + "/unanswered?status=all")
    expect(page.get_by_role("cell", name="what actually is therapy?")).to_be_visible()


def test_review_two_crisis_conversations_in_a_row(console, person):
    page = person
    log_in(page, console)
    page.get_by_role("link", name="Crisis queue").click()
    expect(page.get_by_role("heading", name="Crisis queue")).to_be_visible()
    expect(page.get_by_text("everything has felt so heavy lately")).to_be_visible()
    assert axe_violations(page) == []
    shot(page, "crisis")
    page.get_by_label("Reviewed").select_option("no")
    page.get_by_role("button", name="Filter").click()
    page.locator("table.conversations tbody tr").first.get_by_role("link").click()
    first = page.url
    page.get_by_role("button", name="Mark reviewed").click()
    expect(page.get_by_role("status")).to_contain_text("Marked as reviewed")
    page.get_by_role("link", name="Next unreviewed →").click()
    second = page.url
    assert second != first
    page.get_by_role("button", name="Mark reviewed").click()
    expect(page.get_by_text(f"Reviewed by {ADMIN}")).to_be_visible()
    page.get_by_role("link", name="← Crisis queue").click()
    assert "reviewed=no" in page.url, "back to the filtered queue"
    expect(page.get_by_text(f"Reviewed by {ADMIN}")).to_have_count(0)
    page.goto(console + "/crisis?reviewed=yes")
    links = page.locator("table.conversations a").evaluate_all("links => links.map(a => a.pathname)")
    for url in (first, second):
        assert url.split("?")[0].replace(console, "") in links


def test_axe_reports_a_violation_when_there_is_one(person):
    person.set_content('<html lang="en"><body><main><h1>x</h1><input type="text"></main></body></html>')
    assert "label" in {v["id"] for v in axe_violations(person)}, "the checks above can fail"


def test_every_console_screen_has_no_axe_violations(console, person):
    page = person
    page.goto(console + "/login")
    assert axe_violations(page) == [], "login"
    log_in(page, console)
    for path in (
        "/conversations",
        "/conversations?crisis=yes",
        "/crisis",
        "/transcript/crisis-second?back=/crisis",
        "/transcript/wrong-answer",
        "/unanswered",
        "/unanswered?status=all",
        "/analytics",
        "/staff",
        "/audit",
        "/account/password",
        "/conversations/delete?id=risk-visitor",
    ):
        page.goto(console + path)
        assert axe_violations(page) == [], path
        if path == "/staff":
            shot(page, "staff")
        if path == "/analytics":
            shot(page, "analytics")
