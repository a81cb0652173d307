"""The pages people open in a browser, the practice page with the widget and the staff console,
carry headers that stop framing, MIME sniffing, referrer leaks and injected scripts.

Each page is served in-process by its own code (demo/server.py, console/app.py);
a page that does not exist in this checkout is skipped, saying so.
"""

import threading
from http.server import ThreadingHTTPServer

import pytest
import requests

from processes.lifecycle import free_port


def assert_protective(headers):
    policy = headers.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives.get("default-src") == ["'self'"] or directives.get("default-src") == ["'none'"], policy
    script = directives.get("script-src", directives.get("default-src"))
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script and "*" not in script, policy
    assert directives.get("object-src", directives["default-src"]) == ["'none'"], policy  # no plugins
    assert directives.get("frame-ancestors") == ["'none'"] or headers.get("X-Frame-Options") == "DENY"
    assert headers.get("X-Content-Type-Options") == "nosniff"
    assert headers.get("Referrer-Policy") in ("no-referrer", "same-origin", "strict-origin-when-cross-origin")
    assert "Python" not in headers.get("Server", ""), "no version banner"


@pytest.fixture(scope="module")
def web_page():
    server_module = pytest.importorskip("demo.server", reason="the website widget is not in this checkout")
    site = server_module.WidgetSite("http://127.0.0.1:5005")
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), site.handler())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("path", ["/", "/widget.js", "/no-such-page", "/../../etc/passwd"])
def test_the_practice_page_sends_security_headers_on_every_response(web_page, path):
    response = requests.get(web_page + path, timeout=10)
    assert_protective(response.headers)
    if "passwd" in path:
        assert response.status_code == 404


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    app_module = pytest.importorskip("console.app", reason="the staff console is not in this checkout")
    from console.settings import ConsoleConfig

    db = tmp_path_factory.mktemp("console-headers") / "console.db"
    return app_module.create_app(ConsoleConfig(db_url=f"sqlite:///{db}")).test_client()


@pytest.mark.parametrize("path", ["/", "/login", "/no-such-page"])
def test_the_staff_console_sends_security_headers_on_every_response(console, path):
    response = console.get(path)
    assert_protective(response.headers)
    assert response.headers.get("Cache-Control") == "no-store", "transcripts must not be cached"
