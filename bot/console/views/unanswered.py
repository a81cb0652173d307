"""Unanswered questions: group, file under a topic, export as NLU training data."""

from __future__ import annotations

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for

from bot.console.db import conversations as store
from bot.console.db import unanswered
from bot.console.events import topic_choices
from bot.console.filters import Filters
from bot.console.security import requires_admin
from bot.console.views import engine, log, refresh_summary, zone

blueprint = Blueprint("unanswered", __name__)
PAGE = 50


@blueprint.route("/unanswered")
def show():
    refresh_summary()
    filters = Filters.parse(request.args)
    status = request.args.get("status", "unassigned")
    status = status if status in unanswered.STATUSES else "unassigned"
    with engine().connect() as conn:
        groups = unanswered.groups(conn, filters, zone(), status, limit=PAGE + 1, offset=(filters.page - 1) * PAGE)
        channels, _ = store.filter_choices(conn)
    log("view_unanswered", detail=request.query_string.decode(errors="replace")[:500])
    return render_template("unanswered.html", groups=groups[:PAGE], more=len(groups) > PAGE, filters=filters,
                           status=status, statuses=unanswered.STATUSES, topics=topic_choices(), channels=channels)


@blueprint.route("/unanswered/assign", methods=["POST"])
def assign():
    normalized = request.form.get("normalized", "")[:255]
    topic = request.form.get("topic", "")
    if not normalized or (topic and topic not in dict(topic_choices())):
        abort(400)
    with engine().begin() as conn:
        unanswered.assign(conn, normalized, topic or None, g.user["username"])
    log("assign", target=normalized, detail=topic or "(cleared)")
    back = request.form.get("back", "")
    return redirect(back if back.startswith("/unanswered") else url_for("unanswered.show"))


@blueprint.route("/unanswered/training-data.yml")
@requires_admin
def training_data():
    with engine().connect() as conn:
        examples = unanswered.training_examples(conn)
    log("export_nlu", detail=f"{sum(len(texts) for texts in examples.values())} examples")
    return Response(unanswered.nlu_yaml(examples), mimetype="application/x-yaml",
                    headers={"Content-Disposition": 'attachment; filename="console-unanswered-nlu.yml"'})
