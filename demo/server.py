"""The demo practice page with the chat widget, served on this machine (``make run`` starts it).

    python -m demo.server [--port 8080] [--socket-url http://127.0.0.1:5005]

Serves a fixed set of files and nothing else: the page (``demo/index.html``, with the
practice's widget configuration injected as JSON), the practice's accessibility statement
(``demo/accessibility.html``), the widget (``demo/widget.js``, ``demo/widget.css``) and
socket.io-client's browser build from ``demo/node_modules``, so the page loads nothing from
any other host. Every response carries security headers; the Content-Security-Policy lets
the page talk only to itself and the Rasa socket.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict, Optional, Tuple
from urllib.parse import urlsplit

from bot import settings
from bot.storage.callbacks import BEST_TIMES

DEMO_DIR = settings.PROJECT_ROOT / "demo"
BUNDLE = DEMO_DIR / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"
CONFIG_PLACEHOLDER = "{{ widget_config }}"
ACCESSIBILITY_URL = "/accessibility"


def widget_config(socket_url: str) -> Dict[str, object]:
    """What demo/widget.js needs: where the bot is, and the practice's name, words and colours."""
    practice, widget = settings.practice(), settings.widget()
    return {
        "socketUrl": socket_url,
        "title": practice.name,
        "subtitle": widget.welcome,
        "colour": widget.colour,
        "textColour": widget.text_colour,
        "phone": practice.phone,  # shown if the assistant cannot be reached
        "emergency": practice.crisis_emergency,
        "privacyUrl": practice.privacy_url,
        "accessibilityUrl": ACCESSIBILITY_URL,
        # "Request a callback" only where requests can be stored encrypted (CALLBACK_KEY).
        "callbacks": settings.callback_key() is not None,
        "callbackRetentionDays": settings.callback_retention_days(),
        "callbackTimes": BEST_TIMES,
        # Sent with every message (credentials.yml metadata_key), stored on the tracker.
        "customData": {"practice": re.sub(r"[^a-z0-9]+", "-", practice.name.lower()).strip("-")},
    }


def json_for_html(value: object) -> str:
    """JSON that cannot end the ``<script>`` element it sits in, whatever the practice name says."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def security_headers(socket_url: str) -> Dict[str, str]:
    """Headers for every response: the page may talk to itself and the Rasa socket only."""
    parts = urlsplit(socket_url)
    http_origin = f"{parts.scheme}://{parts.netloc}"
    ws_origin = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}"
    policy = [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",  # the pages' empty favicon (no request for /favicon.ico)
        f"connect-src 'self' {http_origin} {ws_origin}",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    return {
        "Content-Security-Policy": "; ".join(policy),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Cache-Control": "no-cache",
    }


def page_values() -> Dict[str, str]:
    """``{{ name }}`` placeholders of the pages: the practice's facts, HTML-escaped."""
    values = {key: html.escape(value) for key, value in settings.practice().template_values().items()}
    values["statement_date"] = html.escape(STATEMENT_DATE)
    return values


# When the accessibility statement was last reviewed (docs/accessibility-statement.md).
STATEMENT_DATE = "4 December 2026"


def fill(template: str, values: Dict[str, str]) -> str:
    return re.sub(r"\{\{ (\w+) \}\}", lambda m: values.get(m.group(1), m.group(0)), template)


def render_page(socket_url: str, web_dir: Path = DEMO_DIR, name: str = "index.html") -> str:
    page = (web_dir / name).read_text(encoding="utf-8")
    page = page.replace(CONFIG_PLACEHOLDER, json_for_html(widget_config(socket_url)))
    return fill(page, page_values())


class WidgetSite:
    """The routes: a fixed map from path to content, so nothing else on disk is reachable."""

    TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}

    def __init__(self, socket_url: str, web_dir: Path = DEMO_DIR, bundle: Path = BUNDLE) -> None:
        self.socket_url = socket_url
        self.headers = security_headers(socket_url)
        self.files = {
            "/widget.js": web_dir / "widget.js",
            "/widget.css": web_dir / "widget.css",
            "/page.css": web_dir / "page.css",
        }
        self.web_dir, self.bundle = web_dir, bundle

    def get(self, path: str) -> Optional[Tuple[bytes, str]]:
        """Body and content type for ``path``, or None when there is no such page."""
        path = urlsplit(path).path
        if path in ("/", "/index.html"):
            return render_page(self.socket_url, self.web_dir).encode("utf-8"), "text/html"
        if path == ACCESSIBILITY_URL:
            return render_page(self.socket_url, self.web_dir, "accessibility.html").encode(
                "utf-8"
            ), "text/html"
        if path == "/vendor/socket.io.min.js":
            return self.bundle.read_bytes(), "text/javascript"
        if path in self.files:
            file = self.files[path]
            return file.read_bytes(), self.TYPES[file.suffix]
        return None

    def handler(self) -> type:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def version_string(self) -> str:
                return "practice-web"  # not the Python version

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                self._respond(include_body=True)

            def do_HEAD(self) -> None:  # noqa: N802
                self._respond(include_body=False)

            def _respond(self, include_body: bool) -> None:
                found = site.get(self.path)
                body, content_type = found or (b"Not found\n", "text/plain")
                self.send_response(HTTPStatus.OK if found else HTTPStatus.NOT_FOUND)
                self.send_header("Content-Type", f"{content_type}; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                for name, value in site.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if include_body:
                    self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass  # no access log: visitors' addresses are nobody's business here

        return Handler


def serve(host: str, port: int, socket_url: str) -> None:
    if not BUNDLE.exists():
        sys.exit(
            f"Missing {BUNDLE.relative_to(settings.PROJECT_ROOT)}: run `make install` (npm ci in demo/)."
        )
    settings.practice(), settings.widget()  # fail now, with a clear message, on bad settings
    site = WidgetSite(socket_url)
    server = ThreadingHTTPServer((host, port), site.handler())
    server.daemon_threads = True
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def main(argv: Optional[list] = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=settings.web_port())
    parser.add_argument(
        "--socket-url", default=settings.web_socket_url(), help="the Rasa server, as browsers reach it"
    )
    args = parser.parse_args(argv)
    try:
        serve(args.host, args.port, args.socket_url)
    except settings.ConfigurationError as error:
        sys.exit(f"Cannot start the web server: {error}")


if __name__ == "__main__":
    main()
