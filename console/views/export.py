"""Exports of the filtered conversations, as CSV (one row per message) or JSON (nested)."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from typing import Any, Dict, Iterator, Optional

from flask import Blueprint, Response, request, stream_with_context

from console.db import conversations as store
from console.events import Message, channel_label
from console.filters import Filters
from console.guards import requires_admin
from console.views import audited_query, config, engine, log, zone

blueprint = Blueprint("export", __name__)
# Times are in the practice's time zone, named in the header (and with the UTC offset in
# each value, so a spreadsheet in another zone cannot misread them).
CSV_COLUMNS = [
    "conversation_id",
    "channel",
    "time ({zone})",
    "speaker",
    "text",
    "topic",
    "confidence",
    "answer_confidence",
    "reply",
    "crisis",
    "unanswered",
    "conversation_tags",
    "conversation_notes",
    "reviewed_by",
    "reviewed_at ({zone})",
]


def _iso(timestamp: Optional[float]) -> str:
    return datetime.fromtimestamp(timestamp, zone()).isoformat(timespec="seconds") if timestamp else ""


def _notes(row: Dict[str, Any]) -> str:
    return "\n".join(f"{n['author']} ({_iso(n['created_at'])}): {n['body']}" for n in row["notes"])


def spreadsheet_safe(value: Any) -> Any:
    """Text a spreadsheet would run as a formula (=, +, -, @...) is prefixed with a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _message_dict(message: Message) -> Dict[str, Any]:
    return {
        "event_id": message.event_id,
        "time": _iso(message.at),
        "speaker": message.speaker,
        "text": message.text,
        "topic": message.topic,
        "confidence": message.confidence,
        "answer_confidence": message.answer_confidence,
        "reply": message.reply,
        "crisis": message.crisis,
        "unanswered": message.unanswered,
    }


def _csv(filters: Filters) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    name = config().timezone
    writer.writerow([column.format(zone=name) for column in CSV_COLUMNS])
    with engine().connect() as conn:
        for row, messages in store.export_rows(conn, filters, zone(), config().low_confidence):
            tags, notes, review = " ".join(row["tags"]), _notes(row), row["review"] or {}
            for m in messages:
                if m.speaker == "user" and not m.shown:
                    continue  # a payload nobody pressed (the widget's /greet)
                text = f"pressed: {m.pressed}" if m.pressed is not None else m.text
                writer.writerow(
                    [
                        spreadsheet_safe(v)
                        for v in (
                            row["sender_id"],
                            channel_label(row["channel"]),
                            _iso(m.at),
                            m.speaker,
                            text,
                            m.topic or "",
                            "" if m.confidence is None else f"{m.confidence:.3f}",
                            "" if m.answer_confidence is None else f"{m.answer_confidence:.3f}",
                            m.reply or "",
                            int(m.crisis),
                            int(m.unanswered),
                            tags,
                            notes,
                            review.get("reviewed_by", ""),
                            _iso(review.get("reviewed_at")),
                        )
                    ]
                )
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()


def _json(filters: Filters) -> Iterator[str]:
    yield (
        '{"filters": '
        + json.dumps(filters.query_args(page=1))
        + ', "timezone": '
        + json.dumps(config().timezone)
        + ', "conversations": ['
    )
    first = True
    with engine().connect() as conn:
        for row, messages in store.export_rows(conn, filters, zone(), config().low_confidence):
            item = {
                "conversation_id": row["sender_id"],
                "channel": row["channel"],
                "started": _iso(row["started_at"]),
                "last_activity": _iso(row["last_at"]),
                "topics": row["topics"].split(),
                "crisis": row["crisis"],
                "fallbacks": row["fallback_count"],
                "low_confidence": row["low_confidence_count"],
                "referral_offered": row["referral_offered"],
                "tags": row["tags"],
                "notes": [
                    {"author": n["author"], "at": _iso(n["created_at"]), "text": n["body"]}
                    for n in row["notes"]
                ],
                "reviewed_by": (row["review"] or {}).get("reviewed_by"),
                "reviewed_at": _iso((row["review"] or {}).get("reviewed_at")) or None,
                "messages": [_message_dict(m) for m in messages],
            }
            yield ("" if first else ",") + json.dumps(item)
            first = False
    yield "]}"


def _download(body: Iterator[str], mimetype: str, extension: str) -> Response:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    return Response(
        stream_with_context(body),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="conversations-{stamp}.{extension}"'},
    )


@blueprint.route("/export/conversations.csv")
@requires_admin
def conversations_csv():
    filters = Filters.parse(request.args)
    log("export_csv", detail=audited_query())
    return _download(_csv(filters), "text/csv", "csv")


@blueprint.route("/export/conversations.json")
@requires_admin
def conversations_json():
    filters = Filters.parse(request.args)
    log("export_json", detail=audited_query())
    return _download(_json(filters), "application/json", "json")
