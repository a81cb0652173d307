"""Starts the assistant's processes on localhost and says how to talk to it (``make run``).

The processes are processes/catalogue.py's, started by processes/lifecycle.py as the tests
start them. Each one's output goes to ``var/logs/<name>.log`` (``VAR_DIR``); the launcher
prints one line per process once it answers, then the addresses, and stops them all on
Ctrl-C or when any one of them dies.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import List, Optional

from bot import settings
from bot.channels import credentials as channels_config
from processes import catalogue
from processes.lifecycle import NotReady, Process, start_all, stop_all

VENV_BIN = Path(sys.executable).parent


def log_dir() -> Path:
    return Path(os.environ.get("VAR_DIR", settings.PROJECT_ROOT / "var")) / "logs"


def services(rasa_port: int, action_port: int, credentials: str = "credentials.yml") -> List[Process]:
    """The action server and the Rasa server, sharing ACTION_SERVER_TOKEN or a fresh secret per run."""
    return catalogue.assistant(
        rasa_port, action_port, token=settings.action_server_token() or None, credentials=credentials
    )


def start(processes: List[Process]) -> None:
    logs = log_dir()
    print(f"Starting the {', the '.join(p.title for p in processes)} (output in {logs}/)...", flush=True)
    start_all(
        processes,
        logs,
        on_ready=lambda p: print(f"  ✓ {p.title} ready ({p.ready_seconds:.0f} s)", flush=True),
    )


def print_console_notes(processes: List[Process]) -> None:
    """The console's start-up lines (its log so far): the first admin's one-time password is there."""
    for process in processes:
        if process.key == "console" and process.log and process.log.exists():
            print("\nThe staff console says:")
            for line in process.log.read_text(errors="replace").splitlines():
                print(f"  {line}")


def print_welcome(processes: List[Process], rasa_port: int) -> None:
    print("\nThe assistant is running:")
    for process in processes:
        print(f"  {process.title:<14} {process.describe}")
    print(
        "\nTalk to it over REST, for example:\n"
        f"  curl -s -X POST http://127.0.0.1:{rasa_port}/webhooks/rest/webhook \\\n"
        "       -H 'Content-Type: application/json' \\\n"
        '       -d \'{"sender": "me", "message": "what is psychodynamic therapy?"}\'\n'
        "or chat in the terminal with `make shell`. Conversations are stored in "
        f"{settings.tracker_db_url()}.\nPress Ctrl-C to stop.",
        flush=True,
    )


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shell", action="store_true", help="chat in this terminal instead")
    args = parser.parse_args(argv)
    try:  # loads .env first, so every setting below may come from it
        credentials, channels = channels_config.prepare()
        settings.rasa_api_args()  # Rasa's HTTP API: off unless RASA_ENABLE_API=1, then JWT only (bot.serve reads it)
        (
            settings.web_allowed_origins(),
            settings.widget(),
        )  # the chat widget's settings (bot/channels/widget.py)
        # secrets (docs/security.md): mandatory with APP_ENV=production; the id key has a dev default
        settings.rest_channel_token(), settings.action_server_token(), settings.conversation_id_key()
    except settings.ConfigurationError as error:
        print(f"Could not start: {error}", file=sys.stderr)
        return 1
    rasa_port = int(os.environ.get("RASA_PORT", "5005"))
    action_port = int(os.environ.get("ACTION_PORT", "5055"))
    settings.practice()  # fail early, with a clear message, on bad practice settings

    processes = services(rasa_port, action_port, credentials=str(credentials))
    if args.shell:
        processes = processes[:1]  # the action server; `rasa shell` serves the model itself
    else:
        processes.append(catalogue.demo_page(settings.web_port()))
        processes.append(catalogue.console(int(os.environ.get("CONSOLE_PORT", "5080"))))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        start(processes)
        if args.shell:
            return subprocess.call(
                [
                    str(VENV_BIN / "rasa"),
                    "shell",
                    "--model",
                    str(catalogue.MODEL),
                    "--endpoints",
                    "endpoints.yml",
                ],
                cwd=settings.PROJECT_ROOT,
                env={
                    **os.environ,
                    **processes[0].env,
                    "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook",
                },
            )
        print_console_notes(processes)
        print("\n" + channels_config.describe(channels), flush=True)
        print_welcome(processes, rasa_port)
        while all(process.running() for process in processes):
            time.sleep(1)
        dead = next(process for process in processes if not process.running())
        print(
            f"The {dead.title} stopped unexpectedly (see {dead.log}); stopping the others.", file=sys.stderr
        )
        return 1
    except KeyboardInterrupt:
        return 0
    except NotReady as error:
        print(f"Could not start: {error}", file=sys.stderr)
        return 1
    finally:
        stop_all(processes)


if __name__ == "__main__":
    sys.exit(main())
