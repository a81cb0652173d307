"""Logging in and out, and choosing a new password."""

from __future__ import annotations

import math

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for

from console import auth, guards
from console.db import audit, users
from console.views import config, engine, log

blueprint = Blueprint("auth", __name__)


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    error, wait = None, 0.0
    if request.method == "POST":
        username = request.form.get("username", "").strip().lower()[:64]
        user = None
        with engine().begin() as conn:
            try:
                user, _ = auth.authenticate(conn, username, request.form.get("password", ""), _address())
            except auth.Throttled as throttled:
                wait = throttled.wait
            if user:
                token, _ = users.new_session(conn, user["id"], config().session_hours)
        if user:
            log("login", username=user["username"])
            response = redirect(guards.safe_next(request.args.get("next")))
            guards.set_cookie(
                response,
                guards.session_cookie_name(current_app),
                token,
                max_age=int(config().session_hours * 3600),
            )
            response.delete_cookie(guards.LOGIN_CSRF_COOKIE, path="/")
            return response
        error = _wait_message(wait) if wait else "That username and password did not match."
    login_csrf = guards.login_csrf()
    status = (429 if wait else 401) if error else 200
    response = current_app.make_response(
        (render_template("login.html", error=error, login_csrf=login_csrf), status)
    )
    guards.set_cookie(response, guards.LOGIN_CSRF_COOKIE, login_csrf, max_age=3600)
    if wait:
        response.headers["Retry-After"] = str(math.ceil(wait))
    return response


def _address() -> str:
    return request.remote_addr or ""


def _wait_message(wait: float) -> str:
    return f"Too many wrong passwords from here lately. Wait {math.ceil(wait)} seconds and try again."


@blueprint.route("/logout", methods=["POST"])
def logout():
    cookie = guards.session_cookie_name(current_app)
    with engine().begin() as conn:
        users.end_session(conn, request.cookies.get(cookie, ""))
    log("logout")
    response = redirect(url_for("auth.login"))
    response.delete_cookie(cookie, path="/")
    return response


@blueprint.route("/account/password", methods=["GET", "POST"])
def change_password():
    error = None
    if request.method == "POST":
        error = _change_password(
            request.form.get("current_password", ""),
            request.form.get("new_password", ""),
            request.form.get("new_password_again", ""),
        )
        if not error:
            log("password_changed")
            return redirect(url_for("auth.login"))
    return render_template(
        "password.html", error=error, minimum=auth.MIN_PASSWORD_LENGTH
    ), 400 if error else 200


def _change_password(current: str, new: str, again: str) -> str:
    """ "" when the password was changed, else what to tell the user."""
    with engine().begin() as conn:
        try:
            # A wrong current password is a failed check like a failed login: logged,
            # counted and throttled (someone may be guessing at an unattended screen).
            user, _ = auth.authenticate(
                conn, g.user["username"], current, _address(), failure=audit.PASSWORD_FAILED
            )
        except auth.Throttled as throttled:
            return _wait_message(throttled.wait)
        if not user:
            return "Your current password was not right."
        if new != again:
            return "The two new passwords are different."
        try:
            auth.set_password(conn, g.user["username"], new)
        except auth.AccountError as problem:
            return str(problem)
    return ""
