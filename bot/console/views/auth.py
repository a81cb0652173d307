"""Logging in and out, and choosing a new password."""

from __future__ import annotations

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for

from bot.console import auth, security
from bot.console.db import users
from bot.console.views import config, engine, log

blueprint = Blueprint("auth", __name__)


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        username = request.form.get("username", "").strip().lower()[:64]
        with engine().begin() as conn:
            user, reason = auth.authenticate(conn, username, request.form.get("password", ""))
            if user:
                token, _ = users.new_session(conn, user["id"], config().session_hours)
        if user:
            log("login", username=user["username"])
            response = redirect(security.safe_next(request.args.get("next")))
            security.set_cookie(response, security.session_cookie_name(current_app), token,
                                max_age=int(config().session_hours * 3600))
            response.delete_cookie(security.LOGIN_CSRF_COOKIE, path="/")
            return response
        log("login_failed", detail=reason, username=username or "?")
        error = "That username and password did not match, or the account is locked for a while."
    login_csrf = security.login_csrf()
    response = current_app.make_response(
        (render_template("login.html", error=error, login_csrf=login_csrf), 401 if error else 200))
    security.set_cookie(response, security.LOGIN_CSRF_COOKIE, login_csrf, max_age=3600)
    return response


@blueprint.route("/logout", methods=["POST"])
def logout():
    cookie = security.session_cookie_name(current_app)
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
        new, again = request.form.get("new_password", ""), request.form.get("new_password_again", "")
        with engine().begin() as conn:
            user, _ = auth.authenticate(conn, g.user["username"], request.form.get("current_password", ""))
            if not user:
                error = "Your current password was not right."
            elif new != again:
                error = "The two new passwords are different."
            else:
                try:
                    auth.set_password(conn, g.user["username"], new)
                except auth.AccountError as problem:
                    error = str(problem)
        if not error:
            log("password_changed")
            return redirect(url_for("auth.login"))
    return render_template("password.html", error=error, minimum=auth.MIN_PASSWORD_LENGTH), 400 if error else 200
