"""Starts the assistant's processes on localhost and says how to talk to it (``make run``).

Each service is a child process; the launcher waits until each answers on its port,
prints the addresses, and stops them all on Ctrl-C or when any one of them dies.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from bot import settings
from bot.channels import credentials as channels_config

ROOT = settings.PROJECT_ROOT
VENV_BIN = Path(sys.executable).parent
MODEL = ROOT / "models" / "current.tar.gz"


@dataclass
class Service:
    name: str
    command: List[str]
    ready_url: str
    describe: str
    env: Dict[str, str] = field(default_factory=dict)
    process: Optional[subprocess.Popen] = None


# Rasa reports usage to Rasa Technologies unless told not to (rasa/telemetry.py reads this
# variable before its own config file). A health product does not phone home: off unless
# the practice sets RASA_TELEMETRY_ENABLED=true itself.
def telemetry_env() -> Dict[str, str]:
    return {"RASA_TELEMETRY_ENABLED": os.environ.get("RASA_TELEMETRY_ENABLED", "false")}


def private_env() -> Dict[str, str]:
    """Telemetry off, and the action server's shared secret: the given one or a fresh one per run."""
    token = settings.action_server_token() or secrets.token_urlsafe(32)
    return {**telemetry_env(), "ACTION_SERVER_TOKEN": token}


def rasa_services(
    rasa_port: int, action_port: int, credentials: str = "credentials.yml", api_args: Sequence[str] = ()
) -> List[Service]:
    shared = private_env()
    return [
        Service(
            name="action server",
            # processes.action_server: rasa-sdk on 127.0.0.1, refusing calls without the shared secret.
            command=[sys.executable, "-m", "processes.action_server", "--actions", "actions", "--port", str(action_port)],
            ready_url=f"http://127.0.0.1:{action_port}/health",
            describe=f"http://127.0.0.1:{action_port} (custom actions)",
            env={**shared, "SANIC_HOST": "127.0.0.1"},
        ),
        Service(
            name="Rasa server",
            # bot.serve is `rasa run` without the CLI's start-up cost (docs/performance.md).
            command=[
                sys.executable, "-m", "bot.serve", "--model", str(MODEL), "--interface", "127.0.0.1",
                "--port", str(rasa_port), "--endpoints", "endpoints.yml",
                "--credentials", credentials, *api_args,
                # Web pages allowed to use the chat widget (bot/channels/widget.py checks the same list).
                "--cors", *settings.web_allowed_origins(),
            ],
            ready_url=f"http://127.0.0.1:{rasa_port}/",
            describe=f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook (REST channel)",
            env={**shared, "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook"},
        ),
    ]


def web_service(web_port: int) -> Service:
    """The demo practice page with the chat widget (demo/server.py)."""
    return Service(
        name="web page",
        command=[sys.executable, "-m", "demo.server", "--port", str(web_port)],
        env=telemetry_env(),
        ready_url=f"http://127.0.0.1:{web_port}/",
        describe=f"http://127.0.0.1:{web_port}  <- open this to chat through the website widget",
    )


def console_service(console_port: int) -> Service:
    """The staff console (console): review, tag and export the stored conversations."""
    return Service(
        name="staff console",
        command=[sys.executable, "-m", "console", "serve", "--port", str(console_port)],
        env=telemetry_env(),
        ready_url=f"http://127.0.0.1:{console_port}/login",
        describe=f"http://127.0.0.1:{console_port}  <- staff log in here (first admin: see above)",
    )


def wait_until_ready(service: Service, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if service.process and service.process.poll() is not None:
            raise RuntimeError(f"{service.name} exited with code {service.process.returncode}")
        try:
            with urllib.request.urlopen(service.ready_url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise RuntimeError(f"{service.name} was not ready after {timeout:.0f} s ({service.ready_url})")


def start(services: List[Service]) -> None:
    for service in services:
        print(f"Starting the {service.name}...", flush=True)
        service.process = subprocess.Popen(
            service.command, cwd=ROOT, env={**os.environ, **telemetry_env(), **service.env}, start_new_session=True
        )
    for service in services:
        wait_until_ready(service)


def stop(services: List[Service]) -> None:
    for service in services:
        if service.process and service.process.poll() is None:
            os.killpg(service.process.pid, signal.SIGTERM)
    for service in services:
        if service.process:
            try:
                service.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(service.process.pid, signal.SIGKILL)


def print_welcome(services: List[Service], rasa_port: int) -> None:
    print("\nThe assistant is running:")
    for service in services:
        print(f"  {service.name:<14} {service.describe}")
    print(
        "\nTalk to it over REST, for example:\n"
        f"  curl -s -X POST http://127.0.0.1:{rasa_port}/webhooks/rest/webhook \\\n"
        "       -H 'Content-Type: application/json' \\\n"
        "       -d '{\"sender\": \"me\", \"message\": \"what is psychodynamic therapy?\"}'\n"
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
        api_args = settings.rasa_api_args()  # Rasa's HTTP API: off unless RASA_ENABLE_API=1, then JWT only
        settings.web_allowed_origins(), settings.widget()  # the chat widget's settings (bot/channels/widget.py)
        # secrets (docs/security.md): mandatory with APP_ENV=production; the id key has a dev default
        settings.rest_channel_token(), settings.action_server_token(), settings.conversation_id_key()
    except settings.ConfigurationError as error:
        print(f"Could not start: {error}", file=sys.stderr)
        return 1
    rasa_port = int(os.environ.get("RASA_PORT", "5005"))
    action_port = int(os.environ.get("ACTION_PORT", "5055"))
    settings.practice()  # fail early, with a clear message, on bad practice settings

    services = rasa_services(rasa_port, action_port, credentials=str(credentials), api_args=api_args)
    if args.shell:
        services = services[:1]
    else:
        services.append(web_service(settings.web_port()))
        services.append(console_service(int(os.environ.get("CONSOLE_PORT", "5080"))))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        start(services)
        if args.shell:
            return subprocess.call(
                [str(VENV_BIN / "rasa"), "shell", "--model", str(MODEL), "--endpoints", "endpoints.yml"],
                cwd=ROOT,
                env={**os.environ, **services[0].env, "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook"},
            )
        print("\n" + channels_config.describe(channels), flush=True)
        print_welcome(services, rasa_port)
        while all(service.process is not None and service.process.poll() is None for service in services):
            time.sleep(1)
        print("A service stopped unexpectedly; stopping the others.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    except RuntimeError as error:
        print(f"Could not start: {error}", file=sys.stderr)
        return 1
    finally:
        stop(services)


if __name__ == "__main__":
    sys.exit(main())
