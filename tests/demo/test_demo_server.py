"""The demo page's web server: fixed routes, injected configuration, security headers."""

import json
import re
import threading
import urllib.error
import urllib.request

import pytest

from bot import settings
from demo import server
from demo.server import WidgetSite, json_for_html, security_headers

SOCKET = "http://127.0.0.1:5105"


@pytest.fixture(scope="module")
def site_url():
    httpd = server.ThreadingHTTPServer(("127.0.0.1", 0), WidgetSite(SOCKET).handler())
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.headers, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode("utf-8")


def injected_config(page):
    match = re.search(r'<script type="application/json" id="practice-chat-config">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


def test_the_page_carries_the_practice_configuration(site_url):
    status, headers, page = fetch(site_url + "/")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    config = injected_config(page)
    practice, widget = settings.practice(), settings.widget()
    assert config["socketUrl"] == SOCKET
    assert config["title"] == practice.name and config["subtitle"] == widget.welcome
    assert (config["colour"], config["textColour"]) == (widget.colour, widget.text_colour)
    assert config["customData"]["practice"]
    assert "{{" not in page, "every placeholder is filled"


def test_every_response_has_the_security_headers(site_url):
    for path in (
        "/",
        "/accessibility",
        "/widget.js",
        "/widget.css",
        "/vendor/socket.io.min.js",
        "/no-such-page",
    ):
        _, headers, _ = fetch(site_url + path)
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def test_the_policy_allows_only_this_site_and_the_rasa_socket():
    header = security_headers("https://chat.example.org.uk")["Content-Security-Policy"]
    policy = dict(directive.split(" ", 1) for directive in header.split("; "))
    assert policy["default-src"] == "'self'" and policy["script-src"] == "'self'"
    assert policy["connect-src"] == "'self' https://chat.example.org.uk wss://chat.example.org.uk"
    assert policy["object-src"] == "'none'"
    assert policy["style-src"] == "'self'", "no inline styles: the widget's CSS is a file"


def test_only_known_files_are_served(site_url):
    for path in (
        "/../practice.yml",
        "/web/index.html",
        "/node_modules/socket.io-client/package.json",
        "/node_modules/axe-core/axe.min.js",
        "/accessibility.html",
        "/bot/settings/__init__.py",
    ):
        status, _, _ = fetch(site_url + path)
        assert status == 404, path


def test_socket_io_client_is_served_from_this_host(site_url):
    status, headers, bundle = fetch(site_url + "/vendor/socket.io.min.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    assert bundle.startswith("/*!\n * Socket.IO v4.")


def test_the_accessibility_statement_names_the_practice_and_its_line(site_url):
    status, _, page = fetch(site_url + "/accessibility")
    facts = settings.practice()
    assert status == 200 and "{{" not in page
    assert facts.name in page and f'href="tel:{facts.phone_tel}"' in page and "WCAG) 2.2 at level AA" in page


def test_the_demo_page_links_to_the_statement(site_url):
    _, _, page = fetch(site_url + "/")
    assert 'href="/accessibility"' in page and injected_config(page)["accessibilityUrl"] == "/accessibility"


def test_configuration_json_cannot_close_its_script_element():
    text = json_for_html({"title": "</script><script>alert(1)</script> & Co"})
    assert "</script>" not in text and "<" not in text and "&" not in text
    assert json.loads(text)["title"] == "</script><script>alert(1)</script> & Co"
