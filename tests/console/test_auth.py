"""console/auth.py and db/users.py: accounts, hashing, login, the first admin, the CLI."""

import io

import pytest

from console import auth, cli
from console.db import audit, users
from tests.console.conftest import PASSWORD, csrf_from, login


def test_passwords_are_stored_as_argon2id_hashes(engine):
    auth.create_user(engine, "Ada", PASSWORD, "admin")
    with engine.connect() as conn:
        user = users.get(conn, "ada")
    assert user["password_hash"].startswith("$argon2id$") and PASSWORD not in user["password_hash"]
    assert user["role"] == "admin" and user["active"]


@pytest.mark.parametrize(
    "username, password, role",
    [
        ("x", PASSWORD, "admin"),  # too short a name
        ("ok-name", "short", "admin"),
        ("ok-name", "ok-name and more", "admin"),  # contains the username
        ("ok-name", PASSWORD, "superuser"),
    ],
)
def test_account_rules(engine, username, password, role):
    with pytest.raises(auth.AccountError):
        auth.create_user(engine, username, password, role)


def test_authenticate_logs_and_counts_every_failed_check(engine):
    auth.create_user(engine, "rex", PASSWORD, "reviewer")
    with engine.begin() as conn:
        assert auth.authenticate(conn, "REX", PASSWORD)[0]["username"] == "rex"
        assert auth.authenticate(conn, "rex", "wrong password", "10.0.0.1")[0] is None
        assert auth.authenticate(conn, "nobody", PASSWORD, "10.0.0.1") == (None, "unknown or disabled user")
        assert audit.failures(conn, 0, address="10.0.0.1").count == 2
        assert audit.failures(conn, 0, username="rex").count == 1


def test_waits_double_after_three_failures_and_are_capped(engine, monkeypatch):
    clock = [1_000_000.0]
    monkeypatch.setattr(auth.time, "time", lambda: clock[0])
    monkeypatch.setattr(audit.time, "time", lambda: clock[0])
    auth.create_user(engine, "rex", PASSWORD, "reviewer")
    waits = []
    with engine.begin() as conn:
        for _ in range(14):
            auth.authenticate(conn, "rex", "wrong password", "10.0.0.9")
            waits.append(round(auth.throttle_wait(conn, "rex", "10.0.0.9")))
            clock[0] += waits[-1]  # the attacker waits exactly as long as told
    assert waits[:6] == [0, 0, 1, 2, 4, 8]
    assert max(waits) == auth.ADDRESS_CAP, "growing, but never a lock"


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


# --- issue 16: the attacks on the login, replayed against the console app ---------------

OWNER, ATTACKER = {"REMOTE_ADDR": "192.0.2.10"}, {"REMOTE_ADDR": "203.0.113.66"}


def _login_from(app, address, username, password):
    client = app.test_client()
    client.environ_base.update(address)
    return client, login(client, username, password)


def frozen_clock(monkeypatch, start=3_000_000.0):
    clock = [start]
    monkeypatch.setattr(auth.time, "time", lambda: clock[0])
    monkeypatch.setattr(audit.time, "time", lambda: clock[0])
    return clock


def test_f4_someone_elses_failures_never_lock_the_owner_out(app, engine, monkeypatch):
    """F4: eleven wrong passwords for `admin` from an attacker used to lock its owner out."""
    frozen_clock(monkeypatch)  # the guesses come faster than any wait, however slow this machine
    auth.create_user(engine, "admin", PASSWORD, "admin")
    statuses = [_login_from(app, ATTACKER, "admin", f"guess number {n}")[1].status_code for n in range(11)]
    assert statuses[:3] == [401, 401, 401] and 429 in statuses, "the attacker is slowed down"
    # Even the right password is not checked from the attacker's address while it must wait.
    _, refused = _login_from(app, ATTACKER, "admin", PASSWORD)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    _, owner = _login_from(app, OWNER, "admin", PASSWORD)
    assert owner.status_code == 302, "the owner logs in at once from their own address"
    with engine.connect() as conn:
        counted = audit.failures(conn, 0, username="admin").count
        throttled = [e for e in audit.recent(conn) if e["action"] == audit.THROTTLED]
    assert counted == statuses.count(401) and throttled, "failures and refusals are in the audit log"


def test_f4_the_owners_wait_after_others_failures_is_short_and_bounded(app, engine, monkeypatch):
    clock = [2_000_000.0]
    monkeypatch.setattr(auth.time, "time", lambda: clock[0])
    monkeypatch.setattr(audit.time, "time", lambda: clock[0])
    auth.create_user(engine, "admin", PASSWORD, "admin")
    for n in range(40):  # a guess every 10 s from forty different addresses
        _login_from(app, {"REMOTE_ADDR": f"198.51.100.{n}"}, "admin", f"guess number {n}")
        clock[0] += 10
    _login_from(app, OWNER, "admin", "the owner mistypes it")
    with engine.connect() as conn:
        assert 0 < auth.throttle_wait(conn, "admin", OWNER["REMOTE_ADDR"]) <= auth.ACCOUNT_CAP
    clock[0] += auth.ACCOUNT_CAP
    assert _login_from(app, OWNER, "admin", PASSWORD)[1].status_code == 302


def test_f5_wrong_current_passwords_are_logged_counted_and_throttled(app, engine, monkeypatch):
    """F5: twelve guesses at the current password on /account/password went unseen."""
    frozen_clock(monkeypatch)
    auth.create_user(engine, "rex", PASSWORD, "reviewer")
    client, _ = _login_from(app, ATTACKER, "rex", PASSWORD)
    csrf = csrf_from(client.get("/account/password").text)
    statuses = [
        client.post(
            "/account/password",
            data={
                "_csrf": csrf,
                "current_password": f"guess number {n}",
                "new_password": "a new password here",
                "new_password_again": "a new password here",
            },
        ).status_code
        for n in range(12)
    ]
    assert statuses[:3] == [400, 400, 400]
    with engine.connect() as conn:
        failed = audit.failures(conn, 0, username="rex")
        throttled = [e for e in audit.recent(conn) if e["action"] == audit.THROTTLED]
    assert failed.count >= 3 and throttled, "each wrong guess is a counted, logged failure"
    assert failed.count < 12, "and the guessing was slowed down"
    with engine.connect() as conn:
        user, _ = auth.authenticate(conn, "rex", PASSWORD, OWNER["REMOTE_ADDR"])
    assert user, "the password was not changed"


def test_f6_a_one_time_password_cannot_be_chosen_again(app, engine):
    """F6: the forced change of the one-time password accepted the same password."""
    message = auth.bootstrap_admin(engine, {})
    one_time = message.split("one-time password: ")[1].split()[0]
    client, _ = _login_from(app, OWNER, "admin", one_time)
    csrf = csrf_from(client.get("/account/password").text)
    same = client.post(
        "/account/password",
        data={
            "_csrf": csrf,
            "current_password": one_time,
            "new_password": one_time,
            "new_password_again": one_time,
        },
    )
    assert same.status_code == 400 and "different" in same.text
    assert client.get("/conversations").headers["Location"] == "/account/password", "still must change it"
    with engine.begin() as conn:
        with pytest.raises(auth.AccountError):
            auth.set_password(conn, "admin", one_time)
