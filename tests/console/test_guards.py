"""console/guards.py: logins on every route, roles, CSRF, cookies, headers, escaping."""

import re

import pytest

from console import guards
from console.db import summary, unanswered
from tests.console.conftest import PASSWORD, add, conversation, csrf_from, logged_in, login

SCRIPT = "<script>alert('x')</script>"


def routes(app):
    """Every (method, path) the console serves, with sample values for path parameters."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint in guards.PUBLIC_ENDPOINTS:
            continue
        path = re.sub(r"<[^>]+>", "someone", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, path


def test_every_route_refuses_anyone_not_logged_in(app, engine):
    add(engine, conversation("someone").faq("cost?", "cost"))
    client = app.test_client()
    checked = list(routes(app))
    assert len(checked) >= 18, "every screen and action is covered"
    for method, path in checked:
        response = client.open(path, method=method, data={"sender_id": "someone", "_csrf": "guess"})
        assert response.status_code in (302, 400, 401), (method, path)
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/login"), (method, path)
        assert b"cost?" not in response.data


def test_the_login_page_and_stylesheet_are_all_that_is_public(app):
    client = app.test_client()
    assert client.get("/login").status_code == 200
    assert client.get("/static/console.css").status_code == 200


def test_session_cookie_flags(app, engine):
    auth_client = app.test_client()
    from console import auth

    auth.create_user(engine, "ada", PASSWORD, "admin")
    response = login(auth_client, "ada")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("console_session="))
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # off by default: localhost has no HTTPS


def test_secure_cookies_when_configured(engine, config):
    from dataclasses import replace

    from console import auth
    from console.app import create_app

    app = create_app(replace(config, secure_cookies=True), engine)
    auth.create_user(engine, "ada", PASSWORD, "admin")
    client = app.test_client()
    page = client.get("/login", base_url="https://localhost")
    response = client.post(
        "/login",
        base_url="https://localhost",
        data={"username": "ada", "password": PASSWORD, "_csrf": csrf_from(page.text)},
    )
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if "console_session=" in c)
    assert cookie.startswith("__Host-console_session=") and "Secure" in cookie
    assert "Strict-Transport-Security" in response.headers


def test_security_headers_on_pages_redirects_and_errors(admin):
    for path in ("/conversations", "/login", "/", "/transcript/nobody"):
        headers = admin.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'none'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["Cache-Control"] == "no-store"


def test_no_inline_scripts_or_styles_in_any_page(admin, engine):
    add(engine, conversation("someone").faq("cost?", "cost").crisis("help"))
    for path in (
        "/conversations",
        "/transcript/someone",
        "/unanswered",
        "/analytics",
        "/audit",
        "/account/password",
        "/conversations/delete?id=someone",
    ):
        html = admin.get(path).text
        assert "<script" not in html and "style=" not in html and " on" + "click" not in html, path


@pytest.mark.parametrize(
    "path, form",
    [
        ("/conversations/review", {"sender_id": "someone"}),
        ("/conversations/tag", {"sender_id": "someone", "tag": "x"}),
        ("/conversations/note", {"sender_id": "someone", "body": "x"}),
        ("/conversations/flag", {"sender_id": "someone", "event_id": "1"}),
        ("/conversations/delete", {"sender_id": "someone", "confirm": "someone"}),
        ("/unanswered/assign", {"save": "1", "wordings-1": "x", "topic-1": "faq/cost"}),
        ("/logout", {}),
        ("/account/password", {}),
    ],
)
def test_every_form_needs_the_csrf_token(admin, path, form):
    assert admin.post(path, data=form).status_code == 400
    assert admin.post(path, data={**form, "_csrf": "not-the-token"}).status_code == 400
    assert admin.get("/conversations").status_code == 200, "still logged in"


def test_a_post_from_another_site_is_refused_even_with_the_token(admin):
    response = admin.post(
        "/conversations/review",
        data={"sender_id": "s", "_csrf": admin.csrf},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 400


def test_login_needs_the_login_form_token(app, engine):
    from console import auth

    auth.create_user(engine, "ada", PASSWORD, "admin")
    client = app.test_client()
    client.get("/login")
    response = client.post("/login", data={"username": "ada", "password": PASSWORD, "_csrf": "forged"})
    assert response.status_code == 400


def test_reviewers_cannot_export_delete_or_read_the_audit_log(reviewer):
    for path in (
        "/export/conversations.csv",
        "/export/conversations.json",
        "/unanswered/training-data.yml",
        "/audit",
        "/conversations/delete?id=x",
    ):
        assert reviewer.get(path).status_code == 403, path
    response = reviewer.post(
        "/conversations/delete", data={"sender_id": "x", "confirm": "x", "_csrf": reviewer.csrf}
    )
    assert response.status_code == 403
    assert "Export these" not in reviewer.get("/conversations").text


def test_logging_out_ends_the_session_on_the_server(app, engine):
    client = logged_in(app, engine, "ada", "admin")
    cookie = client.get_cookie("console_session").value
    client.post("/logout", data={"_csrf": client.csrf})
    thief = app.test_client()
    thief.set_cookie("console_session", cookie)
    assert thief.get("/conversations").status_code == 302


def test_after_login_only_local_paths(app):
    with app.test_request_context():
        for target in ("https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)"):
            assert guards.safe_next(target) == "/"
        assert guards.safe_next("/analytics?channel=rest") == "/analytics?channel=rest"


def test_a_one_time_password_must_be_changed_first(app, engine):
    from console import auth

    message = auth.bootstrap_admin(engine, {})
    one_time = message.split("one-time password: ")[1].split()[0]
    client = app.test_client()
    assert login(client, "admin", one_time).status_code == 302
    assert client.get("/conversations").headers["Location"] == "/account/password"
    token = csrf_from(client.get("/account/password").text)
    response = client.post(
        "/account/password",
        data={
            "_csrf": token,
            "current_password": one_time,
            "new_password": PASSWORD,
            "new_password_again": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert login(client, "admin", PASSWORD).status_code == 302
    assert client.get("/conversations").status_code == 200


def test_stored_script_is_escaped_on_every_screen(admin, engine):
    add(engine, conversation(SCRIPT, channel=SCRIPT).fallback(SCRIPT).faq(SCRIPT, "cost"))
    summary.refresh(engine)
    with engine.begin() as conn:
        unanswered.file_wordings(conn, [summary.normalize(SCRIPT)], "faq/cost", "ada")
    admin.post("/conversations/note", data={"_csrf": admin.csrf, "sender_id": SCRIPT, "body": SCRIPT})
    admin.post(
        "/conversations/flag",
        data={"_csrf": admin.csrf, "sender_id": SCRIPT, "event_id": "4", "reason": SCRIPT},
    )
    pages = [
        "/conversations",
        "/conversations?q=script",
        "/unanswered?status=all",
        "/analytics",
        "/audit",
        "/transcript/" + SCRIPT,
        "/conversations/delete?id=" + SCRIPT,
    ]
    for path in pages:
        response = admin.get(path)
        assert response.status_code == 200, path
        assert SCRIPT not in response.text and "<script" not in response.text, path
    assert "&lt;script&gt;" in admin.get("/transcript/" + SCRIPT).text
