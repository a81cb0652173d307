"""``python -m console``: run the console and look after its data from the command line.

python -m console serve                       # the web console (make console)
python -m console users create NAME --role reviewer|admin
python -m console users list | set-password NAME | disable NAME | enable NAME
python -m console refresh                     # summarise new conversations now
python -m console retention [--days N]        # delete conversations older than N days
python -m console delete CONVERSATION_ID      # delete one conversation (on request)
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import threading
import time
from typing import List, Optional

from console import auth
from console.db import audit, make_engine, retention, summary, users
from console.db.migrations import migrate
from console.settings import ConsoleConfig


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password again: "):
        raise auth.AccountError("The passwords are different.")
    return first


def _users(engine, args: argparse.Namespace) -> int:
    if args.action == "create":
        auth.create_user(engine, args.username, _read_password(args), args.role)
        print(f"Created {args.role} '{args.username.lower()}'.")
    elif args.action == "list":
        with engine.connect() as conn:
            for user in users.all_users(conn):
                state = "active" if user["active"] else "disabled"
                print(f"{user['username']:<24} {user['role']:<9} {state}")
    elif args.action == "set-password":
        password = _read_password(args)
        with engine.begin() as conn:
            auth.set_password(conn, args.username.lower(), password)
        print(f"Password changed for '{args.username.lower()}'; their sessions were ended.")
    elif args.action in ("disable", "enable"):
        with engine.begin() as conn:
            if not users.update(conn, args.username.lower(), active=args.action == "enable"):
                raise auth.AccountError(f"No user called {args.username}.")
            account = users.get(conn, args.username.lower())
            if account is not None:  # updated just above, so only a concurrent delete leaves None
                users.end_all_sessions(conn, account["id"])
        print(f"{args.action.capitalize()}d '{args.username.lower()}'.")
    return 0


def _serve(config: ConsoleConfig, engine, args: argparse.Namespace) -> int:
    from waitress import serve

    from console.app import create_app

    app = create_app(config, engine)  # migrates the schema
    message = auth.bootstrap_admin(engine, os.environ)
    if message:
        print(message, flush=True)

    def catch_up() -> None:
        # In the background, so the port opens at once even with a long backlog to summarise.
        started = time.monotonic()
        count = summary.refresh(engine, config.low_confidence, app.config["ZONE"])
        print(
            f"Console: summarised {count} conversation(s) in {time.monotonic() - started:.1f} s.", flush=True
        )

    threading.Thread(target=catch_up, name="console-refresh", daemon=True).start()
    host, port = args.host or config.host, args.port or config.port
    print(f"Staff console: http://{host}:{port}/", flush=True)
    serve(
        app, host=host, port=port, threads=args.threads, ident="console", clear_untrusted_proxy_headers=True
    )
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="python -m console", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = root.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the web console")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--threads", type=int, default=4)
    user = commands.add_parser("users", help="manage staff accounts")
    user.add_argument("action", choices=["create", "list", "set-password", "disable", "enable"])
    user.add_argument("username", nargs="?")
    user.add_argument("--role", choices=users.ROLES, default="reviewer")
    user.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    commands.add_parser("refresh", help="summarise new conversations now")
    keep = commands.add_parser("retention", help="delete conversations older than the retention period")
    keep.add_argument("--days", type=int, help="default: RETENTION_DAYS")
    delete = commands.add_parser("delete", help="delete one conversation and everything about it")
    delete.add_argument("conversation_id")
    commands.add_parser("migrate", help="create or upgrade the console's tables")
    return root


def main(argv: Optional[List[str]] = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "users" and args.action != "list" and not args.username:
        parser().error("give a username")
    config = ConsoleConfig.from_env()
    engine = make_engine(config.db_url)
    try:
        if args.command == "serve":
            return _serve(config, engine, args)
        migrate(engine)
        if args.command == "users":
            return _users(engine, args)
        if args.command == "refresh":
            from zoneinfo import ZoneInfo

            count = summary.refresh(engine, config.low_confidence, ZoneInfo(config.timezone))
            print(f"Summarised {count} conversation(s).")
        elif args.command == "retention":
            days = args.days or config.retention_days
            if not days:
                print("Set RETENTION_DAYS or pass --days.", file=sys.stderr)
                return 2
            deleted = retention.delete_older_than(engine, days)
            with engine.begin() as conn:
                audit.record(
                    conn, "cli", "retention", detail=f"{deleted} conversation(s) older than {days} days"
                )
            print(f"Deleted {deleted} conversation(s) with no activity in the last {days} days.")
        elif args.command == "delete":
            with engine.begin() as conn:
                deleted = retention.delete_conversations(conn, [args.conversation_id])
                audit.record(
                    conn, "cli", "delete", target=args.conversation_id, detail="on request (command line)"
                )
            if not deleted:
                print(f"No conversation '{args.conversation_id}'.", file=sys.stderr)
                return 1
            print(f"Deleted conversation '{args.conversation_id}'.")
        return 0
    except auth.AccountError as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        engine.dispose()
