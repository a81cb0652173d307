"""The conversation list, one transcript, and what staff do to a conversation."""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple
from urllib.parse import parse_qsl, urlsplit

from flask import Blueprint, abort, g, redirect, render_template, request, url_for

from console.db import conversations as store
from console.db import retention, review, schema, unanswered
from console.events import load, read_event, topic_choices
from console.filters import Filters, normalize_tag
from console.guards import requires_admin
from console.views import audited_query, config, engine, log, refresh_summary, zone

blueprint = Blueprint("conversations", __name__)
NOTICES = {
    "reviewed": "Marked as reviewed.",
    "unreviewed": "Marked as not reviewed.",
    "tagged": "Tag added.",
    "untagged": "Tag removed.",
    "noted": "Note added.",
    "flagged": "Message flagged.",
    "unflagged": "Flag removed.",
    "deleted": "The conversation was deleted.",
    "bad-tag": "Tags are up to 64 letters, digits, spaces, - or _.",
    "corrected": "Correction saved: it joins the improvement queue and the training-data export.",
    "uncorrected": "Correction removed.",
    "no-topic": "Choose the topic the message should have reached, then save the correction.",
    "queue-done": "Nothing left to review here.",
}
# Lists a transcript can be opened from, and returns to with their filters.
BACK_PATHS = ("/conversations", "/crisis", "/unanswered")


def safe_back(raw: Optional[str]) -> Optional[str]:
    """A list to return to: one of this console's lists, with its query, nothing else."""
    if not raw or "\\" in raw or raw.startswith("//"):
        return None
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or parts.path not in BACK_PATHS:
        return None
    return raw[:1000]


def _queue(back: Optional[str]) -> Tuple[Optional[str], Filters]:
    """Which queue ``back`` is ("crisis", "list" or None) and its filters."""
    if not back:
        return None, Filters()
    parts = urlsplit(back)
    filters = Filters.parse(dict(parse_qsl(parts.query)))
    return {"/crisis": "crisis", "/conversations": "list"}.get(parts.path), filters


@blueprint.route("/")
def index():
    return redirect(url_for("conversations.list_conversations"))


@blueprint.route("/conversations")
def list_conversations():
    refresh_summary()
    filters = Filters.parse(request.args)
    with engine().connect() as conn:
        page = store.list_page(conn, filters, zone(), config().page_size)
        channels, tags = store.filter_choices(conn)
    log("view_list", detail=audited_query())
    return render_template(
        "list.html",
        page=page,
        filters=filters,
        channels=channels,
        tags=tags,
        topics=topic_choices(),
        notice=NOTICES.get(request.args.get("notice", "")),
    )


@blueprint.route("/crisis")
def crisis_queue():
    """Conversations flagged for crisis and messages in the risk check-in band, unreviewed first."""
    refresh_summary()
    filters = Filters.parse(request.args)
    with engine().connect() as conn:
        flagged = store.crisis_queue(conn, filters, zone())
        risky = store.risk_list(conn, filters, zone())
        channels, _ = store.filter_choices(conn)
    log("view_crisis", detail=audited_query())
    return render_template(
        "crisis.html",
        flagged=flagged,
        risky=risky,
        filters=filters,
        channels=channels,
        notice=NOTICES.get(request.args.get("notice", "")),
    )


@blueprint.route("/transcript/<path:sender_id>")
def transcript(sender_id: str):
    back = safe_back(request.args.get("back"))
    queue, filters = _queue(back)
    with engine().connect() as conn:
        found = store.transcript(conn, sender_id, config().low_confidence)
        following = store.next_unreviewed(conn, queue, filters, zone(), sender_id) if queue else None
    if found is None:
        abort(404)
    log("view_transcript", target=sender_id)
    return render_template(
        "transcript.html",
        t=found,
        notice=NOTICES.get(request.args.get("notice", "")),
        back=back,
        queue=queue,
        following=following,
        topics=topic_choices(),
    )


def _sender() -> str:
    sender_id = request.form.get("sender_id", "")
    if not sender_id or len(sender_id) > 255:
        abort(400)
    return sender_id


def _back(sender_id: str, notice: str, anchor: str = ""):
    back = safe_back(request.form.get("back"))
    values: Dict[str, Any] = {"sender_id": sender_id, "notice": notice}
    if back:
        values["back"] = back
    target = url_for("conversations.transcript", **values)
    return redirect(target + anchor)


@blueprint.route("/conversations/review", methods=["POST"])
def mark_reviewed():
    sender_id, reviewed = _sender(), request.form.get("reviewed") != "no"
    with engine().begin() as conn:
        review.set_reviewed(conn, sender_id, g.user["username"], reviewed)
    log("reviewed" if reviewed else "unreviewed", target=sender_id)
    return _back(sender_id, "reviewed" if reviewed else "unreviewed")


@blueprint.route("/conversations/tag", methods=["POST"])
def tag():
    sender_id, name = _sender(), normalize_tag(request.form.get("tag", ""))
    if not name:
        return _back(sender_id, "bad-tag")
    removing = request.form.get("remove") == "yes"
    with engine().begin() as conn:
        if removing:
            review.remove_tag(conn, sender_id, name)
        else:
            review.add_tag(conn, sender_id, name, g.user["username"])
    log("untag" if removing else "tag", target=sender_id, detail=name)
    return _back(sender_id, "untagged" if removing else "tagged")


@blueprint.route("/conversations/note", methods=["POST"])
def note():
    sender_id, body = _sender(), request.form.get("body", "").strip()[:4000]
    if body:
        with engine().begin() as conn:
            review.add_note(conn, sender_id, body, g.user["username"])
        log("note", target=sender_id)
    return _back(sender_id, "noted")


def _event_id() -> int:
    """The message a form acts on; a form without a whole number is a bad request."""
    try:
        return int(request.form.get("event_id", ""))
    except ValueError:
        abort(400)


@blueprint.route("/conversations/flag", methods=["POST"])
def flag():
    sender_id = _sender()
    event_id = _event_id()
    clearing = request.form.get("clear") == "yes"
    reason = None if clearing else (request.form.get("reason", "").strip()[:500] or "flagged for review")
    with engine().begin() as conn:
        review.set_flag(conn, sender_id, event_id, g.user["username"], reason)
    log("unflag" if clearing else "flag", target=sender_id, detail=str(event_id))
    return _back(sender_id, "unflagged" if clearing else "flagged")


@blueprint.route("/conversations/correct", methods=["POST"])
def correct():
    """A wrong answer: the visitor message is filed under the topic it should have reached."""
    sender_id = _sender()
    event_id = _event_id()
    clearing = request.form.get("clear") == "yes"
    topic = request.form.get("topic", "")
    if not clearing and not topic:
        return _back(sender_id, "no-topic", f"#m{event_id}")
    if not clearing and topic not in dict(topic_choices()):
        abort(400)
    e = schema.events
    with engine().begin() as conn:
        row = conn.execute(e.select().where(e.c.id == event_id, e.c.sender_id == sender_id)).first()
        message = read_event(event_id, load(row.data)) if row is not None else None
        if message is None or message.speaker != "user":
            abort(404)
        # The words come from the stored event, not the form: what is filed is what was said.
        unanswered.file_message(
            conn,
            event_id,
            sender_id,
            message.text,
            None if clearing else topic,
            message.topic,
            g.user["username"],
        )
    log(
        "uncorrect" if clearing else "correct",
        target=sender_id,
        detail=f"{event_id} -> {topic or '(cleared)'}",
    )
    return _back(sender_id, "uncorrected" if clearing else "corrected", f"#m{event_id}")


@blueprint.route("/conversations/delete", methods=["GET", "POST"])
@requires_admin
def delete():
    if request.method == "GET":
        sender_id = request.args.get("id", "")
        return render_template("delete.html", sender_id=sender_id)
    sender_id = _sender()
    if request.form.get("confirm") != sender_id:
        return render_template(
            "delete.html", sender_id=sender_id, error="Type the conversation id exactly to confirm."
        ), 400
    with engine().begin() as conn:
        deleted = retention.delete_conversations(conn, [sender_id])
    log("delete", target=sender_id, detail=f"{deleted} conversation(s) deleted on request")
    return redirect(url_for("conversations.list_conversations", notice="deleted"))
