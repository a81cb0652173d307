"""Fixtures for the console's tests: a fresh database on SQLite and on PostgreSQL, staff, clients.

Every test that takes ``engine`` runs twice, once per backend. The PostgreSQL database is
created for this test session (``console_test_<random>``) and dropped at the end.
"""

from __future__ import annotations

import re
import secrets
import time
from typing import Iterable, Iterator, List, Union

import psycopg2
import pytest
from argon2 import PasswordHasher

from bench.synthetic import ConversationBuilder
from console import auth
from console.app import create_app
from console.db import make_engine, schema
from console.db.migrations import migrate
from console.settings import ConsoleConfig

PG = dict(host="127.0.0.1", port=5432, user="postgres")
PASSWORD = "a long test password"
DAY = 86_400.0


def _admin_connection():
    connection = psycopg2.connect(dbname="postgres", connect_timeout=3, **PG)
    connection.autocommit = True
    return connection


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('console-db') / 'conversations.db'}"
        return
    try:
        admin = _admin_connection()
    except psycopg2.OperationalError as error:
        pytest.skip(f"PostgreSQL is not reachable on 127.0.0.1:5432: {error}")
    name = f"console_test_{secrets.token_hex(6)}"
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://{PG['user']}@{PG['host']}:{PG['port']}/{name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def engine(database_url):
    """A migrated, empty database (tables dropped and recreated for each test)."""
    engine = make_engine(database_url)
    schema.metadata.drop_all(engine)
    schema.rasa_metadata.drop_all(engine)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    # argon2id at its production cost takes ~0.1 s a hash; the tests hash hundreds of times.
    fast = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(auth, "_hasher", lambda: fast)


def add(engine, *conversations: Union[ConversationBuilder, Iterable[dict]]) -> None:
    """Stores conversations in ``events`` as the tracker store would."""
    rows: List[dict] = []
    for conversation in conversations:
        rows.extend(conversation.rows() if isinstance(conversation, ConversationBuilder) else conversation)
    with engine.begin() as conn:
        conn.execute(schema.events.insert(), rows)


def conversation(sender_id: str, days_ago: float = 0.0, channel: str = "rest") -> ConversationBuilder:
    return ConversationBuilder(sender_id, time.time() - days_ago * DAY, channel)


@pytest.fixture
def config(database_url) -> ConsoleConfig:
    return ConsoleConfig(db_url=database_url, refresh_seconds=0)


@pytest.fixture
def app(engine, config):
    app = create_app(config, engine)
    app.config["TESTING"] = True
    return app


def csrf_from(html: str) -> str:
    found = re.search(r'name="_csrf" value="([^"]+)"', html)
    assert found, "the page has a form with a CSRF token"
    return found.group(1)


def login(client, username: str, password: str = PASSWORD):
    page = client.get("/login")
    return client.post(
        "/login", data={"username": username, "password": password, "_csrf": csrf_from(page.text)}
    )


def logged_in(app, engine, username: str, role: str):
    auth.create_user(engine, username, PASSWORD, role)
    client = app.test_client()
    assert login(client, username).status_code == 302
    client.csrf = csrf_from(client.get("/account/password").text)
    return client


@pytest.fixture
def admin(app, engine):
    return logged_in(app, engine, "ada", "admin")


@pytest.fixture
def reviewer(app, engine):
    return logged_in(app, engine, "rex", "reviewer")
