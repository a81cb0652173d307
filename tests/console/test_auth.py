"""bot/console/auth.py and db/users.py: accounts, hashing, login, the first admin, the CLI."""

import io

import pytest

from bot.console import auth, cli
from bot.console.db import audit, users
from tests.console.conftest import PASSWORD


def test_passwords_are_stored_as_argon2id_hashes(engine):
    auth.create_user(engine, "Ada", PASSWORD, "admin")
    with engine.connect() as conn:
        user = users.get(conn, "ada")
    assert user["password_hash"].startswith("$argon2id$") and PASSWORD not in user["password_hash"]
    assert user["role"] == "admin" and user["active"]


@pytest.mark.parametrize("username, password, role", [
    ("x", PASSWORD, "admin"),  # too short a name
    ("ok-name", "short", "admin"),
    ("ok-name", "ok-name and more", "admin"),  # contains the username
    ("ok-name", PASSWORD, "superuser"),
])
def test_account_rules(engine, username, password, role):
    with pytest.raises(auth.AccountError):
        auth.create_user(engine, username, password, role)


def test_authenticate_and_lock_after_repeated_failures(engine):
    auth.create_user(engine, "rex", PASSWORD, "reviewer")
    with engine.begin() as conn:
        assert auth.authenticate(conn, "REX", PASSWORD)[0]["username"] == "rex"
        assert auth.authenticate(conn, "rex", "wrong password")[0] is None
        assert auth.authenticate(conn, "nobody", PASSWORD) == (None, "unknown or disabled user")
        for _ in range(auth.MAX_FAILURES):
            audit.record(conn, "rex", "login_failed")
        assert auth.authenticate(conn, "rex", PASSWORD) == (None, "too many failures")


def test_disabled_users_cannot_log_in(engine):
    auth.create_user(engine, "rex", PASSWORD, "reviewer")
    with engine.begin() as conn:
        users.update(conn, "rex", active=False)
        assert auth.authenticate(conn, "rex", PASSWORD)[0] is None


def test_first_admin_from_the_environment(engine):
    env = {"CONSOLE_ADMIN_USER": "boss", "CONSOLE_ADMIN_PASSWORD": PASSWORD}
    assert "boss" in auth.bootstrap_admin(engine, env)
    assert auth.bootstrap_admin(engine, env) is None, "only once"
    with engine.connect() as conn:
        assert users.get(conn, "boss")["role"] == "admin"


def test_first_admin_with_a_one_time_password_when_nobody_exists(engine):
    message = auth.bootstrap_admin(engine, {})
    one_time = message.split("one-time password: ")[1].split()[0]
    with engine.begin() as conn:
        user, _ = auth.authenticate(conn, "admin", one_time)
    assert user["must_change_password"]
    assert auth.bootstrap_admin(engine, {}) is None, "not when someone can already log in"


def test_cli_creates_lists_and_disables_users(engine, database_url, monkeypatch, capsys):
    monkeypatch.setenv("CONSOLE_DB_URL", database_url)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert cli.main(["users", "create", "carol", "--role", "admin", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("too short\n"))
    assert cli.main(["users", "create", "dan", "--password-stdin"]) == 1
    assert cli.main(["users", "disable", "carol"]) == 0
    assert cli.main(["users", "list"]) == 0
    out = capsys.readouterr()
    assert "carol" in out.out and "disabled" in out.out and "at least 12" in out.err
    monkeypatch.setattr("sys.stdin", io.StringIO("a brand new password\n"))
    assert cli.main(["users", "set-password", "carol", "--password-stdin"]) == 0
    with engine.begin() as conn:
        users.update(conn, "carol", active=True)
        assert auth.authenticate(conn, "carol", "a brand new password")[0]
