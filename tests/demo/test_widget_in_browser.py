"""The website widget in a real browser: Debian's Chromium, driven by Playwright, checked by axe.

The real Rasa and action servers answer (tests/support/servers.py), demo.server serves
the demo page, and nothing is mocked. Controls are found as a visitor finds them: by role
and accessible name. axe-core (demo/node_modules, pinned in demo/package.json) runs WCAG 2.2
A/AA and best-practice rules with the widget closed, open and after the crisis reply, on a
desktop and a phone. ``UPDATE_SCREENSHOTS=1`` refreshes the screenshots in docs/.
"""

import json
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from bot.settings import contrast_ratio, practice
from bot.storage.callbacks import CallbackStore
from tests.demo.widget_harness import (
    DESKTOP,
    LAUNCHER,
    PHONE,
    WAIT_MS,
    Visit,
    answer_opening,
    focused,
    screenshot_path,
)

pytestmark = pytest.mark.model


def test_a_visitor_chats_through_the_widget_on_a_desktop(site, browser, tmp_path):
    facts = practice()
    visit = Visit(browser, site["url"], viewport=DESKTOP)
    page = visit.page
    assert visit.axe_violations() == [], "the page with the widget closed"

    visit.open_chat()
    greeting = visit.reply(answer_opening("utter_greet"))
    expect(greeting).to_be_visible(timeout=WAIT_MS)
    topic = visit.dialog.get_by_role("button", name="What happens in a session?")
    expect(topic).to_be_visible(timeout=WAIT_MS)
    expect(greeting).to_be_in_viewport(ratio=1)  # the safety line, not scrolled past
    log_box = page.get_by_role("list", name="Conversation").bounding_box()
    assert greeting.bounding_box()["y"] >= log_box["y"] - 1, "the greeting's first bubble is in view"
    assert facts.name in visit.announced("polite") or answer_opening("utter_greet") in visit.announced(
        "polite"
    )
    assert visit.axe_violations() == [], "the widget open"
    page.screenshot(path=str(screenshot_path("widget-screenshot.png", tmp_path)))

    topic.click()
    expect(visit.reply(answer_opening("utter_faq/session"))).to_be_visible(timeout=WAIT_MS)
    assert focused(page, "el => el.getAttribute('aria-label') || el.id") and visit.box.evaluate(
        "el => el === document.activeElement"
    ), "focus back in the message box after a quick reply"

    visit.say("could therapy make me feel worse?")
    expect(visit.reply(answer_opening("utter_faq/side_effects"))).to_be_visible(timeout=WAIT_MS)

    visit.say("Can I talk to a person?")
    expect(page.get_by_role("link", name=f"Call {facts.phone}")).to_have_attribute(
        "href", f"tel:{facts.phone_tel}", timeout=WAIT_MS
    )

    visit.say("I want to end my life")
    crisis = visit.crisis()
    tel = facts.template_values()
    expect(visit.shout_link(facts)).to_be_visible(timeout=WAIT_MS)
    expect(visit.shout_link(facts)).to_have_attribute(
        "href", re.compile("^sms:" + re.escape(tel["crisis_shout_sms"]) + r"(\?|$)")
    )
    expect(crisis.last).to_contain_text(facts.phone)
    crisis_text = " ".join(crisis.all_inner_texts())
    for number in (facts.crisis_emergency, facts.crisis_samaritans, facts.crisis_shout_text):
        assert number in crisis_text
    expect(crisis.get_by_role("link", name=f"Call {facts.crisis_emergency}")).to_have_attribute(
        "href", f"tel:{facts.crisis_emergency}"
    )
    expect(crisis.get_by_role("link", name=f"Call Samaritans {facts.crisis_samaritans}")).to_have_attribute(
        "href", f"tel:{tel['crisis_samaritans_tel']}"
    )
    for link in crisis.get_by_role("link").all():
        href = link.get_attribute("href")
        assert href.startswith(("tel:", "sms:")), f"every crisis button dials or texts: {href}"
    background = "el => getComputedStyle(el.querySelector('.chat-bubble')).backgroundColor"
    assert crisis.first.evaluate(background) != greeting.first.evaluate(background), (
        "the crisis reply stands out"
    )
    assert facts.crisis_samaritans in visit.announced("assertive"), "the crisis reply is announced at once"
    assert visit.axe_violations() == [], "after the crisis reply"
    page.screenshot(path=str(screenshot_path("widget-crisis-desktop.png", tmp_path)))

    # The widget's customData reached the tracker with the visitor's message.
    session_id = visit.session_id()
    assert session_id.startswith("web:")
    with sa.create_engine(site["bot"].db_url).connect() as db:
        stored = db.execute(
            sa.text("select data from events where sender_id = :s and type_name = 'user'"), {"s": session_id}
        ).fetchall()
    assert stored and all(json.loads(row.data)["metadata"]["page"] == "/" for row in stored)

    page.reload()
    expect(visit.dialog).to_be_visible()  # still open, as it was
    expect(visit.launcher).to_be_visible()
    expect(visit.shout_link(facts)).to_be_visible()
    expect(greeting).to_have_count(1)  # the conversation was kept, not started again
    assert visit.session_id() == session_id
    visit.say("what is psychodynamic therapy?")
    expect(visit.reply(answer_opening("utter_faq/what_is"))).to_be_visible(timeout=WAIT_MS)
    assert visit.session_id() == session_id, "the same conversation continues after the reload"

    visit.dialog.get_by_role("button", name="Conversation options").click()
    with page.expect_download() as download:
        visit.dialog.get_by_role("button", name="Download this conversation").click()
    transcript = Path(download.value.path()).read_text(encoding="utf-8")
    assert "You: I want to end my life" in transcript and f"tel:{facts.crisis_emergency}" in transcript

    visit.dialog.get_by_role("button", name="Conversation options").click()
    visit.dialog.get_by_role("button", name="Clear conversation").click()
    expect(greeting).to_be_visible(timeout=WAIT_MS)
    expect(crisis).to_have_count(0)
    assert visit.session_id() != session_id

    assert not any(session_id in line or "session_id" in line for line in visit.console), (
        "no id in the console"
    )
    assert visit.remote_addresses() == [], "the page loads nothing from any other host"
    assert visit.problems == []
    visit.close()


def test_on_a_phone_the_widget_is_a_modal_dialog(site, browser, tmp_path):
    facts = practice()
    visit = Visit(browser, site["url"], viewport=PHONE, has_touch=True, is_mobile=True)
    page = visit.page
    assert visit.axe_violations() == [], "the page with the widget closed"
    visit.open_chat()
    expect(visit.reply(answer_opening("utter_greet"))).to_be_visible(timeout=WAIT_MS)
    expect(visit.dialog).to_have_attribute("aria-modal", "true")
    box = visit.dialog.bounding_box()
    assert (box["x"], box["width"]) == (0, PHONE["width"]), "the chat fills the phone's screen"
    assert visit.axe_violations() == [], "the widget open"
    page.screenshot(path=str(screenshot_path("widget-phone.png", tmp_path)))

    for control in visit.dialog.get_by_role("button").all() + [visit.box]:
        size = control.bounding_box()
        assert size["width"] >= 44 and size["height"] >= 44, f"{control} is at least 44×44"

    visit.say("i don't want to be alive anymore")
    expect(visit.shout_link(facts)).to_be_visible(timeout=WAIT_MS)
    assert facts.crisis_samaritans in visit.announced("assertive"), "the crisis reply is announced at once"
    assert visit.axe_violations() == [], "after the crisis reply"
    page.screenshot(path=str(screenshot_path("widget-crisis-phone.png", tmp_path)))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "no sideways scrolling"

    # The callback form, with its errors showing: still no violations, and the safety line on top.
    visit.dialog.get_by_role("button", name="Conversation options").click()
    visit.dialog.get_by_role("button", name="Request a callback").click()
    form = visit.dialog.get_by_role("region", name="Request a callback")
    expect(form).to_be_visible()
    expect(form).to_contain_text(f"call {facts.crisis_emergency}")
    form.get_by_role("button", name="Send request").click()
    expect(form.get_by_label("Phone number")).to_have_attribute("aria-invalid", "true")
    assert visit.axe_violations() == [], "the callback form with its errors"
    page.screenshot(path=str(screenshot_path("widget-callback-phone.png", tmp_path)))
    page.keyboard.press("Escape")
    expect(form).to_be_hidden()

    # The page behind is out of reach while the chat covers it.
    for _ in range(25):
        page.keyboard.press("Tab")
        assert visit.dialog.evaluate("(d) => d.contains(document.activeElement)"), "focus stays in the dialog"
    page.keyboard.press("Escape")
    expect(visit.dialog).to_be_hidden()
    assert visit.launcher.evaluate("el => el === document.activeElement"), "focus back on the chat button"
    assert visit.remote_addresses() == [] and visit.problems == []
    visit.close()


def test_keyboard_only(site, browser):
    """Open, chat, pick a quick reply and close with no pointer; the live region reads the reply."""
    visit = Visit(browser, site["url"], viewport=DESKTOP)
    page = visit.page
    expect(visit.launcher).to_be_visible()

    def tab_to(check, limit=40):
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"(() => {{ const el = document.activeElement; return {check}; }})()"):
                return
        pytest.fail(f"Tab never reached {check}")

    tab_to(f"el.getAttribute('aria-label') === {LAUNCHER!r}")
    page.keyboard.press("Enter")
    expect(visit.dialog).to_be_visible()
    assert visit.box.evaluate("el => el === document.activeElement"), "opening puts focus in the message box"
    expect(visit.dialog.get_by_role("button", name="What is psychodynamic therapy?")).to_be_visible(
        timeout=WAIT_MS
    )

    tab_to("el.textContent === 'What is psychodynamic therapy?'")
    outline = focused(
        page,
        "el => { const s = getComputedStyle(el); return [s.outlineStyle, s.outlineWidth, s.outlineColor]; }",
    )
    assert outline[0] == "solid" and float(outline[1].rstrip("px")) >= 2, "a visible focus ring"
    ring = page.evaluate(
        "c => { const d = document.createElement('div'); d.style.color = c; document.body.append(d);"
        " const v = getComputedStyle(d).color; d.remove(); return v; }",
        outline[2],
    )
    panel_background = page.locator(".chat-body").evaluate("el => getComputedStyle(el).backgroundColor")
    assert contrast_ratio(rgb_hex(ring), rgb_hex(panel_background)) >= 3, "the focus ring reaches 3:1"
    page.keyboard.press("Enter")
    expect(visit.reply(answer_opening("utter_faq/what_is"))).to_be_visible(timeout=WAIT_MS)
    assert visit.box.evaluate("el => el === document.activeElement"), "focus back in the message box"
    expect(page.locator('[aria-live="polite"]')).to_contain_text(answer_opening("utter_faq/what_is"))

    page.keyboard.type("how do I get referred?")
    page.keyboard.press("Enter")
    expect(visit.reply(answer_opening("utter_faq/referral"))).to_be_visible(timeout=WAIT_MS)
    expect(page.locator('[aria-live="polite"]')).to_contain_text(answer_opening("utter_faq/referral"))

    # Request a callback with the keyboard: the options menu, the form, a wrong number, then right.
    tab_to("el.getAttribute('aria-label') === 'Conversation options'")
    page.keyboard.press("Enter")
    assert focused(page, "el => el.textContent") == "Request a callback", "the menu opens at its first item"
    page.keyboard.press("Enter")
    form = visit.dialog.get_by_role("region", name="Request a callback")
    expect(form).to_be_visible()
    assert form.get_by_label("First name (optional)").evaluate("el => el === document.activeElement")
    page.keyboard.type("Sam")
    page.keyboard.press("Tab")
    page.keyboard.type("12345")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # the first time of day
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # consent
    tab_to("el.textContent === 'Send request'", limit=5)
    page.keyboard.press("Enter")
    phone = form.get_by_label("Phone number")
    expect(phone).to_have_attribute("aria-invalid", "true")
    assert phone.evaluate("el => el === document.activeElement"), "focus goes to the field to fix"
    assert visit.axe_violations() == [], "the callback form with an error"
    phone.press("Control+a")
    page.keyboard.type("07700 900123")
    page.keyboard.press("Enter")
    expect(form).to_be_hidden()
    assert visit.box.evaluate("el => el === document.activeElement"), "back to the message box"
    expect(page.locator('[aria-live="polite"]')).to_contain_text("call you back")
    store = CallbackStore(site["bot"].db_url, site["callback_key"], retention_days=30)
    queued = [p for p in store.pending() if p.conversation_id == visit.session_id()]
    store.dispose()
    assert [p.callback.phone for p in queued] == ["07700900123"] and queued[0].callback.first_name == "Sam"

    page.keyboard.press("Escape")
    expect(visit.dialog).to_be_hidden()
    assert visit.launcher.evaluate("el => el === document.activeElement"), "focus back on the chat button"
    assert visit.remote_addresses() == [] and visit.problems == []
    visit.close()


def rgb_hex(css_colour):
    parts = css_colour[css_colour.index("(") + 1 : css_colour.index(")")].split(",")
    return "#" + "".join(f"{int(float(p)):02x}" for p in parts[:3])


@pytest.mark.parametrize(
    "viewport", [{"width": 320, "height": 640}, {"width": 640, "height": 400}], ids=["320px", "200%-zoom"]
)
def test_reflow_at_320_px_and_200_percent_zoom(site, browser, viewport):
    """1280×800 at 200% zoom is a 640×400 CSS viewport."""
    visit = Visit(browser, site["url"], viewport=viewport, reduced_motion="reduce")
    visit.open_chat()
    expect(visit.reply(answer_opening("utter_greet"))).to_be_visible(timeout=WAIT_MS)
    assert visit.page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert visit.page.locator(".chat-log").evaluate("el => el.scrollWidth <= el.clientWidth"), (
        "no sideways scroll"
    )
    animation = visit.page.locator(".chat-dot").first.evaluate("el => getComputedStyle(el).animationName")
    assert animation == "none", "no animation when the visitor asks for reduced motion"
    assert visit.axe_violations() == []
    visit.close()
