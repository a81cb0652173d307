"""The callback queue: visitors who asked the practice to phone them (bot/storage/callbacks.py).

Staff see the pending requests, oldest first, and mark each done once they have called.
The details are decrypted here for display only; the audit log records who viewed the
queue and which request was marked done, never a name or number.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for

from bot import settings
from bot.storage.callbacks import BEST_TIMES, CallbackStore
from console.views import engine, log, zone

blueprint = Blueprint("callbacks", __name__)


def _store() -> "CallbackStore | None":
    key = settings.callback_key()
    return CallbackStore(engine(), key, settings.callback_retention_days()) if key else None


@blueprint.route("/callbacks")
def queue():
    store = _store()
    pending = store.pending() if store else []
    log("view_callbacks", detail=f"{len(pending)} pending")
    return render_template(
        "callbacks.html",
        enabled=store is not None,
        pending=pending,
        times=BEST_TIMES,
        retention_days=settings.callback_retention_days(),
        zone=zone(),
    )


@blueprint.route("/callbacks/<int:request_id>/done", methods=["POST"])
def mark_done(request_id: int):
    store = _store()
    if store is None or not store.mark_done(request_id):
        abort(404)
    log("callback_done", target=str(request_id))
    return redirect(url_for("callbacks.queue"))
