"""Staff accounts, managed by admins: invite with a one-time password, reset, disable, change role.

A one-time password is shown once, on the page that answers the form (never in a URL or
the audit log), for the admin to pass on; its owner must choose their own at first login.
"""

from __future__ import annotations

from typing import Optional

from flask import Blueprint, g, render_template, request

from console import auth
from console.db import users
from console.guards import requires_admin
from console.views import engine, log

blueprint = Blueprint("staff", __name__)


def _page(
    notice: Optional[str] = None,
    error: Optional[str] = None,
    one_time: Optional[tuple] = None,
    status: int = 200,
):
    with engine().connect() as conn:
        accounts = users.all_users(conn)
    return render_template(
        "staff.html", accounts=accounts, roles=users.ROLES, notice=notice, error=error, one_time=one_time
    ), status


@blueprint.route("/staff")
@requires_admin
def show():
    log("view_staff")
    return _page()


@blueprint.route("/staff/invite", methods=["POST"])
@requires_admin
def invite():
    username = request.form.get("username", "").strip().lower()[:64]
    role = request.form.get("role", "reviewer")
    try:
        password = auth.invite(engine(), username, role)
    except auth.AccountError as problem:
        return _page(error=str(problem), status=400)
    log("staff_invite", target=username, detail=role)
    return _page(notice=f"Account {username} created.", one_time=(username, password))


@blueprint.route("/staff/change", methods=["POST"])
@requires_admin
def change():
    username = request.form.get("username", "").strip().lower()[:64]
    action = request.form.get("action", "")
    me = g.user["username"]
    try:
        with engine().begin() as conn:
            if action == "reset":
                password = auth.reset_password(conn, username)
            elif action in ("disable", "enable"):
                auth.change_account(conn, me, username, active=action == "enable")
            elif action == "role":
                auth.change_account(conn, me, username, role=request.form.get("role", ""))
            else:
                return _page(error="Unknown action.", status=400)
    except auth.AccountError as problem:
        return _page(error=str(problem), status=400)
    if action == "reset":
        log("staff_reset", target=username)
        return _page(
            notice=f"New one-time password for {username}; their sessions were ended.",
            one_time=(username, password),
        )
    detail = request.form.get("role", "") if action == "role" else ""
    log(f"staff_{action}", target=username, detail=detail)
    done = {"disable": "disabled", "enable": "enabled", "role": "given a new role"}[action]
    return _page(notice=f"{username} {done}.")
