"""Request guards for the web app: login on every page, roles, CSRF, cookies, headers.

Every request except the login page and the stylesheet needs a live session (checked in
``before_request``, so a new route cannot forget it). Sessions are server-side: the cookie
holds a random token whose hash is in ``console_sessions``, so logging out really ends it.
Every POST must carry the session's CSRF token; the login form, having no session yet,
uses a double-submit cookie instead.
"""

from __future__ import annotations

import hmac
import secrets
from functools import wraps
from typing import Any, Callable, Optional
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, g, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse  # what redirect() returns

from console.db import users

PUBLIC_ENDPOINTS = frozenset({"auth.login", "static"})
# Pages a user with a one-time password may reach before choosing their own.
PASSWORD_CHANGE_ENDPOINTS = frozenset({"auth.change_password", "auth.logout", "static"})
LOGIN_CSRF_COOKIE = "console_login_csrf"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'none'",  # the console has no JavaScript at all
        "style-src 'self'",
        "img-src 'self' data:",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)


def session_cookie_name(app: Flask) -> str:
    # The __Host- prefix makes browsers insist on Secure, Path=/ and no Domain.
    return "__Host-console_session" if app.config["CONSOLE"].secure_cookies else "console_session"


def set_cookie(response: Response, name: str, value: str, max_age: Optional[int] = None) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="Strict",
        secure=current_app.config["CONSOLE"].secure_cookies,
    )


def safe_next(target: Optional[str]) -> str:
    """Where to go after logging in: only a path on this site, never another host."""
    if not target:
        return url_for("conversations.index")
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
    ):
        return url_for("conversations.index")
    return target


def csrf_ok(expected: Optional[str]) -> bool:
    sent = request.form.get("_csrf", "")
    if not expected or not sent:
        return False
    return hmac.compare_digest(sent.encode(), expected.encode())


def _same_origin() -> bool:
    """A browser's Origin header, when sent, must be this site (belt and braces with CSRF)."""
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.host


def load_user() -> Optional[BaseResponse]:
    """``before_request``: who is asking, and may they have this page?"""
    g.user, g.csrf = None, None
    token = request.cookies.get(session_cookie_name(current_app))
    if token:
        with current_app.config["ENGINE"].connect() as conn:
            found = users.session_user(conn, token)
        if found:
            g.csrf = found.pop("csrf_token")
            g.user = found
    endpoint = request.endpoint or ""
    if request.method in UNSAFE_METHODS:
        expected = request.cookies.get(LOGIN_CSRF_COOKIE) if endpoint == "auth.login" else g.csrf
        if not _same_origin() or not csrf_ok(expected):
            abort(
                400,
                description="The form was out of date or not sent by this site. Reload the page and try again.",
            )
    if endpoint in PUBLIC_ENDPOINTS:
        return None
    if g.user is None:
        if request.method == "GET":
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(401)
    if g.user["must_change_password"] and endpoint not in PASSWORD_CHANGE_ENDPOINTS:
        return redirect(url_for("auth.change_password"))
    return None


def login_csrf() -> str:
    """The login form's token: the browser's existing one if it has one, so a second login
    page (or the favicon request a browser redirects there) does not void the first form."""
    existing = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    return (
        existing
        if len(existing) == 43 and existing.replace("-", "").replace("_", "").isalnum()
        else secrets.token_urlsafe(32)
    )


def requires_admin(view: Callable[..., Any]) -> Callable[..., Any]:
    """Only admins export and delete."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if not g.user or g.user["role"] != "admin":
            abort(403)
        return view(*args, **kwargs)

    return guarded


def add_security_headers(response: Response) -> Response:
    """``after_request``: headers every response carries."""
    headers = response.headers
    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    # "same-origin", not "no-referrer": with no-referrer browsers send `Origin: null` on
    # same-site form posts, which the origin check must then refuse.
    headers["Referrer-Policy"] = "same-origin"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
    if request.endpoint != "static":
        headers["Cache-Control"] = "no-store"  # transcripts must not linger in caches
    if current_app.config["CONSOLE"].secure_cookies:
        headers["Strict-Transport-Security"] = "max-age=31536000"
    return response
