"""The console's callback queue (console/views/callbacks.py): list, mark done, audit without details."""

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from bot.storage.callbacks import CallbackStore, callback_requests, checked
from console.db import schema


@pytest.fixture
def key(monkeypatch):
    key = Fernet.generate_key()
    monkeypatch.setenv("CALLBACK_KEY", key.decode())
    return key


@pytest.fixture
def queued(engine, key):
    store = CallbackStore(engine, key, retention_days=30)
    ids = [
        store.add(
            "web:first",
            checked({"first_name": "Sam", "phone": "07700 900123", "best_time": "evening", "consent": True}),
        ),
        store.add("web:second", checked({"phone": "07700 900456", "best_time": "any", "consent": True})),
    ]
    yield ids
    callback_requests.drop(engine)


def test_staff_see_pending_requests_and_mark_one_done(reviewer, engine, queued):
    page = reviewer.get("/callbacks")
    assert page.status_code == 200
    assert 'href="tel:07700900123"' in page.text and "Sam" in page.text and "Early evening" in page.text
    assert reviewer.post(f"/callbacks/{queued[0]}/done", data={"_csrf": reviewer.csrf}).status_code == 302
    page = reviewer.get("/callbacks")
    assert "07700900123" not in page.text and "07700900456" in page.text
    assert reviewer.post(f"/callbacks/{queued[0]}/done", data={"_csrf": reviewer.csrf}).status_code == 404
    with engine.connect() as conn:
        audit = conn.execute(
            sa.select(schema.audit.c.action, schema.audit.c.target, schema.audit.c.detail)
        ).fetchall()
    assert ("callback_done", str(queued[0])) in [(row.action, row.target) for row in audit]
    assert not any(
        "0770" in f"{row.target} {row.detail}" or "Sam" in f"{row.target} {row.detail}" for row in audit
    )


def test_marking_done_needs_the_csrf_token(reviewer, queued):
    assert reviewer.post(f"/callbacks/{queued[0]}/done", data={}).status_code in (400, 403)


def test_without_a_key_the_queue_says_callbacks_are_off(reviewer, monkeypatch):
    monkeypatch.delenv("CALLBACK_KEY", raising=False)
    page = reviewer.get("/callbacks")
    assert page.status_code == 200 and "CALLBACK_KEY" in page.text
