"""Every process the project runs, each described once: command line, port, health check, ready time-out.

``make run`` (processes/launcher.py), the tests (tests/support/servers.py) and the
benchmarks (bench/) build their processes here and start them with processes/lifecycle.py,
so the tests start what ships: the Rasa server is ``python -m bot.serve``, as in
deploy/Dockerfile, never ``rasa run``. Options a test or benchmark needs on top (the HTTP
API, another endpoints file) are bot.serve's own options, passed through ``args``.
docs/processes.md has the table (tests/processes/test_catalogue.py keeps it true).
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from processes.lifecycle import ROOT, Process, free_port  # noqa: F401 (free_port: the one every caller uses)

PYTHON = sys.executable
MODEL = ROOT / "models" / "current.tar.gz"

# Seconds from launch until the health check must answer, one per process. The Rasa server
# loads TensorFlow and the model: about 15 s alone, minutes when several start at once on a
# busy two-core machine (tests/scale starts two). The action server imports rasa-sdk only.
READY_SECONDS = {"actions": 120.0, "rasa": 300.0, "web": 30.0, "console": 60.0}


def telemetry_env() -> Dict[str, str]:
    """Rasa reports usage unless told not to (rasa/telemetry.py reads this variable before its
    own config file). A health product does not phone home: off unless the practice opts in."""
    return {"RASA_TELEMETRY_ENABLED": os.environ.get("RASA_TELEMETRY_ENABLED", "false")}


def new_token() -> str:
    """A fresh shared secret for the action server (ACTION_SERVER_TOKEN), at least 32 characters."""
    return secrets.token_urlsafe(32)


def action_server(port: int, token: str, env: Optional[Dict[str, str]] = None) -> Process:
    """rasa-sdk on 127.0.0.1, refusing calls without ``token`` (processes/action_server.py)."""
    return Process(
        "actions",
        "action server",
        [PYTHON, "-m", "processes.action_server", "--actions", "actions", "--port", str(port)],
        port,
        "/health",
        READY_SECONDS["actions"],
        env={**telemetry_env(), "SANIC_HOST": "127.0.0.1", "ACTION_SERVER_TOKEN": token, **(env or {})},
        describe=f"http://127.0.0.1:{port} (custom actions)",
    )


def rasa_server(
    port: int,
    action_port: int,
    token: str,
    *,
    model: Path = MODEL,
    endpoints: str = "endpoints.yml",
    credentials: str = "credentials.yml",
    args: Sequence[str] = (),
    env: Optional[Dict[str, str]] = None,
) -> Process:
    """The trained model served by bot/serve.py (trimmed imports, a warm-up parse before the port
    opens). Its HTTP API and CORS origins come from the environment (RASA_ENABLE_API,
    WEB_ALLOWED_ORIGINS) unless ``args`` say otherwise (``--enable-api``, ``--cors``)."""
    return Process(
        "rasa",
        "Rasa server",
        [
            PYTHON,
            "-m",
            "bot.serve",
            "--model",
            str(model),
            "--interface",
            "127.0.0.1",
            "--port",
            str(port),
            "--endpoints",
            endpoints,
            "--credentials",
            credentials,
            *args,
        ],
        port,
        "/",
        READY_SECONDS["rasa"],
        env={
            **telemetry_env(),
            "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook",
            "ACTION_SERVER_TOKEN": token,
            **(env or {}),
        },
        describe=f"http://127.0.0.1:{port}/webhooks/rest/webhook (REST channel)",
    )


def assistant(
    rasa_port: int,
    action_port: int,
    *,
    token: Optional[str] = None,
    with_actions: bool = True,
    env: Optional[Dict[str, str]] = None,
    **rasa_options,
) -> List[Process]:
    """The action server and the Rasa server, sharing one secret (a fresh one unless given).
    ``env`` goes to both; ``rasa_options`` are rasa_server()'s."""
    token = token or new_token()
    rasa = rasa_server(rasa_port, action_port, token, env=env, **rasa_options)
    return [action_server(action_port, token, env), rasa] if with_actions else [rasa]


def demo_page(port: int, socket_url: Optional[str] = None, env: Optional[Dict[str, str]] = None) -> Process:
    """The demo practice page with the chat widget (demo/server.py)."""
    command = [PYTHON, "-m", "demo.server", "--port", str(port)]
    if socket_url:
        command += ["--socket-url", socket_url]
    return Process(
        "web",
        "web page",
        command,
        port,
        "/",
        READY_SECONDS["web"],
        env={**telemetry_env(), **(env or {})},
        describe=f"http://127.0.0.1:{port}  <- open this to chat through the website widget",
    )


def console(port: int, env: Optional[Dict[str, str]] = None) -> Process:
    """The staff console (console/): review, tag and export the stored conversations."""
    return Process(
        "console",
        "staff console",
        [PYTHON, "-m", "console", "serve", "--port", str(port)],
        port,
        "/login",
        READY_SECONDS["console"],
        env={**telemetry_env(), **(env or {})},
        describe=f"http://127.0.0.1:{port}  <- staff log in here (first admin: see above)",
    )
