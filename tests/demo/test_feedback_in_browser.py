"""A visitor's thumbs in the widget, seen by staff in the console's analytics: Chromium, real servers.

The widget side reuses the widget's browser harness (real Rasa and action servers, the demo
page); the console runs as its own process on the same conversation database, as in
``make run``. Both screens are checked with axe-core. ``UPDATE_SCREENSHOTS=1`` refreshes
docs/widget-feedback.png and docs/console-helpfulness.png.
"""

from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from processes import catalogue
from processes.lifecycle import free_port, running
from tests.demo.widget_harness import DESKTOP, WAIT_MS, Visit, answer_opening, screenshot_path

pytestmark = pytest.mark.model

ADMIN, PASSWORD = "feedback-admin", "a long feedback password"
HELPED, DID_NOT_HELP = "This answer helped", "This answer did not help"


@pytest.fixture(scope="module")
def console(site, tmp_path_factory):
    work = tmp_path_factory.mktemp("feedback-console")
    env = {
        "CONSOLE_DB_URL": site["bot"].db_url,
        "CONSOLE_ADMIN_USER": ADMIN,
        "CONSOLE_ADMIN_PASSWORD": PASSWORD,
    }
    with running([catalogue.console(free_port(), env=env)], work) as (process,):
        yield process.url


def test_a_thumbs_down_in_the_widget_reaches_the_console(site, browser, console, tmp_path):
    visit = Visit(browser, site["url"], viewport=DESKTOP)
    page = visit.page
    visit.open_chat()
    visit.dialog.get_by_role("button", name="What happens in a session?").click()
    answer = visit.reply(answer_opening("utter_faq/session"))
    expect(answer).to_be_visible(timeout=WAIT_MS)
    down = visit.dialog.get_by_role("button", name=DID_NOT_HELP)
    up = visit.dialog.get_by_role("button", name=HELPED)
    expect(down).to_have_count(1)
    expect(down).to_have_attribute("aria-pressed", "false")
    assert visit.axe_violations() == [], "the answer with its thumbs"

    down.click()
    expect(down).to_have_attribute("aria-pressed", "true")
    thanks = visit.dialog.get_by_text("Thank you for your feedback.")
    expect(thanks).to_be_visible(timeout=WAIT_MS)
    assert "Thank you for your feedback." in visit.announced("polite")
    assert page.locator(".chat-message--user").count() == 1, (
        "a vote is not shown as something the visitor typed"
    )
    expect(up).to_have_attribute("aria-disabled", "true")
    up.click(force=True)  # one vote per answer: a person may still press it; nothing changes
    expect(up).to_have_attribute("aria-pressed", "false")
    expect(down).to_have_attribute("aria-pressed", "true")
    assert visit.axe_violations() == [], "after the vote"
    page.locator(".chat-panel").screenshot(path=str(screenshot_path("widget-feedback.png", tmp_path)))

    page.reload()  # the vote and its thank-you stay with the answer in the tab
    expect(visit.dialog).to_be_visible()  # still open, as it was
    expect(thanks).to_be_visible()
    expect(visit.dialog.get_by_role("button", name=DID_NOT_HELP)).to_have_attribute("aria-pressed", "true")
    visit.say("I want to end my life")
    expect(visit.crisis().first).to_be_visible(timeout=WAIT_MS)
    expect(visit.dialog.get_by_role("button", name=DID_NOT_HELP)).to_have_count(
        0
    )  # never after the crisis reply
    visit.close()

    staff = browser.new_context(viewport={"width": 1400, "height": 1000}, bypass_csp=True).new_page()
    staff.goto(console + "/login")
    staff.get_by_label("Username").fill(ADMIN)
    staff.get_by_label("Password").fill(PASSWORD)
    staff.get_by_role("button", name="Log in").click()
    expect(staff.get_by_role("heading", name="Conversations")).to_be_visible()
    staff.get_by_role("link", name="Analytics").click()
    section = staff.locator("#helpfulness")
    expect(section.get_by_role("heading", name="Were the answers helpful?")).to_be_visible()
    row = section.get_by_role("row", name="What happens in a session")
    expect(row).to_contain_text("0")
    expect(row.get_by_role("cell")).to_have_text(["0", "1", "0%"])
    assert Visit.axe_violations(SimpleNamespace(page=staff)) == [], (
        "the analytics screen with the helpfulness figure"
    )
    section.screenshot(path=str(screenshot_path("console-helpfulness.png", tmp_path)))

    section.get_by_role("link", name="Unanswered questions").click()  # the caption says where thumbs-down go
    expect(staff.locator("label.question", has_text="What happens in a session?")).to_be_visible()
    expect(staff.get_by_text("1 rated not helpful")).to_be_visible()
    staff.context.close()
