"""The audit log, for admins."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from console.db import audit
from console.filters import Filters
from console.guards import requires_admin
from console.views import engine, log

blueprint = Blueprint("admin", __name__)
PAGE = 100


@blueprint.route("/audit")
@requires_admin
def audit_log():
    page = Filters.parse(request.args).page
    action = request.args.get("action", "")[:32] or None
    with engine().connect() as conn:
        entries = audit.recent(conn, limit=PAGE + 1, offset=(page - 1) * PAGE, action=action)
    log("view_audit")
    return render_template(
        "audit.html", entries=entries[:PAGE], more=len(entries) > PAGE, page=page, action=action
    )
