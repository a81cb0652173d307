"""Unanswered questions: grouped by meaning, filed under a topic (one or many at once), exported.

The screen is one form without JavaScript: each group's row has its own topic choice and
Save button (``save=<row>``), and a bar above the table files every checked group under
one topic (``bulk``). The rows carry their wordings, so filing does not depend on the
grouping being recomputed identically.
"""

from __future__ import annotations

from typing import List, Optional
from urllib.parse import urlencode

from flask import Blueprint, Response, g, redirect, render_template, request, url_for

from console.db import conversations as store
from console.db import unanswered
from console.events import topic_choices, topic_label
from console.filters import Filters
from console.guards import requires_admin
from console.views import audited_query, engine, log, refresh_summary, zone

blueprint = Blueprint("unanswered", __name__)
PAGE = 50
UNFILE = "(unfile)"  # the topic choice that takes a filed group out of the export
MAX_WORDINGS = 200  # per row in the form


@blueprint.route("/unanswered")
def show():
    refresh_summary()
    filters = Filters.parse(request.args)
    status = request.args.get("status", "unassigned")
    status = status if status in unanswered.STATUSES else "unassigned"
    with engine().connect() as conn:
        groups = unanswered.groups(
            conn, filters, zone(), status, limit=PAGE + 1, offset=(filters.page - 1) * PAGE
        )
        channels, _ = store.filter_choices(conn)
        corrections = unanswered.corrections(conn, limit=20) if status != "unassigned" else []
    log("view_unanswered", detail=audited_query())
    return render_template(
        "unanswered.html",
        groups=groups[:PAGE],
        more=len(groups) > PAGE,
        filters=filters,
        status=status,
        statuses=unanswered.STATUSES,
        topics=topic_choices(),
        channels=channels,
        unfile=UNFILE,
        similarity=unanswered.SIMILARITY,
        max_wordings=MAX_WORDINGS,
        corrections=corrections,
        notice=request.args.get("filed", "")[:300] or None,
        error=request.args.get("problem", "")[:300] or None,
    )


def _wordings(row: str) -> List[str]:
    return [text for text in request.form.get(f"wordings-{row}", "").splitlines() if text.strip()][
        :MAX_WORDINGS
    ]


def _topic(raw: str) -> Optional[str]:
    return raw if raw in dict(topic_choices()) or raw == UNFILE else None


def _back(**message: str):
    back = request.form.get("back", "")
    target = back if back.startswith("/unanswered") and "\\" not in back else url_for("unanswered.show")
    # Earlier messages in the address give way to this one.
    base, _, query = target.split("#")[0].partition("?")
    kept = "&".join(part for part in query.split("&") if part and not part.startswith(("filed=", "problem=")))
    target = base + ("?" + kept if kept else "")
    joiner = "&" if "?" in target else "?"
    return redirect(target + joiner + urlencode(message))


@blueprint.route("/unanswered/assign", methods=["POST"])
def assign():
    """Files one row (its Save button) or every checked row (the bulk button)."""
    if "bulk" in request.form:
        rows = request.form.getlist("pick")
        raw_topic = request.form.get("bulk_topic", "")
        if not rows:
            return _back(problem="Tick the questions to file first, then choose a topic.")
    else:
        row = request.form.get("save", "")
        rows = [row] if row else []
        raw_topic = request.form.get(f"topic-{row}", "")
        if not rows:
            return _back(problem="Nothing was saved: press the Save button of a question.")
    if not raw_topic:
        example = request.form.get(f"example-{rows[0]}", "") if len(rows) == 1 else ""
        what = f"“{example}”" if example else "the ticked questions"
        return _back(problem=f"Choose a topic for {what} before saving.")
    topic = _topic(raw_topic)
    if topic is None:
        return _back(problem="That topic is not one the bot knows. Choose one from the list.")
    texts = [text for row in rows for text in _wordings(row)]
    with engine().begin() as conn:
        filed = unanswered.file_wordings(conn, texts, None if topic == UNFILE else topic, g.user["username"])
    # Counts and the topic only: the questions' words stay out of the audit log.
    log("file_unanswered", detail=f"{filed} message(s), {len(rows)} group(s) -> {topic}")
    if topic == UNFILE:
        return _back(filed=f"Took {filed} question{'s' if filed != 1 else ''} out of the filed list.")
    return _back(filed=f"Filed {filed} question{'s' if filed != 1 else ''} under “{topic_label(topic)}”.")


@blueprint.route("/unanswered/training-data.yml")
@requires_admin
def training_data():
    with engine().connect() as conn:
        examples = unanswered.training_examples(conn)
    log("export_nlu", detail=f"{sum(len(texts) for texts in examples.values())} examples")
    return Response(
        unanswered.nlu_yaml(examples),
        mimetype="application/x-yaml",
        headers={"Content-Disposition": 'attachment; filename="console-unanswered-nlu.yml"'},
    )
