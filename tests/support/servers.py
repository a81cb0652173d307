"""Start the real action server and Rasa server for a test, on free ports, with their own database.

    with running_bot(tmp_path) as bot:
        replies = bot.say("alice", "what is psychodynamic therapy?")

Nothing is mocked: the trained model in models/current.tar.gz answers, the action server
runs the code in actions/, and conversations go to the SQL store ``db_url`` names
(a fresh SQLite file by default).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import requests

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
MODEL = ROOT / "models" / "current.tar.gz"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, timeout: float = 240.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {process.returncode}")
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.5)
    raise TimeoutError(f"{url} not ready after {timeout} s")


def stop(process: Optional[subprocess.Popen]) -> None:
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@dataclass
class RunningBot:
    rasa_url: str
    action_url: str
    db_url: str
    log_dir: Path
    env: Dict[str, str] = field(default_factory=dict)
    processes: Dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def rest_url(self) -> str:
        return f"{self.rasa_url}/webhooks/rest/webhook"

    def say(self, sender: str, text: str, timeout: float = 30) -> List[dict]:
        """Sends ``text`` over the REST channel and returns the bot's messages."""
        token = self.env.get("REST_CHANNEL_TOKEN")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = requests.post(self.rest_url, json={"sender": sender, "message": text}, headers=headers,
                                 timeout=timeout)
        response.raise_for_status()
        return response.json()

    def storage_id(self, conversation: str) -> str:
        """The id the database holds for ``conversation`` (e.g. ``rest:alice``; personal ids hashed)."""
        from bot import settings
        from bot.privacy.pseudonym import storage_id

        return storage_id(conversation, settings.conversation_id_key(self.env))

    def stored(self, conversation: str) -> list:
        """The stored events of ``conversation`` (a namespaced id, as the channels file it)."""
        return stored_events(self.db_url, self.storage_id(conversation))

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-5000:] for p in sorted(self.log_dir.glob("*.log")))


def stored_events(db_url: str, sender: str) -> list:
    """One conversation's rows in the events table (type_name, data), oldest first."""
    import sqlalchemy as sa

    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as connection:
            return connection.execute(
                sa.text("select type_name, data from events where sender_id = :s order by id"), {"s": sender}
            ).fetchall()
    finally:
        engine.dispose()


def start_process(name: str, command: List[str], env: Dict[str, str], log_dir: Path) -> subprocess.Popen:
    log = open(log_dir / f"{name}.log", "wb")
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


@contextlib.contextmanager
def running_bot(
    work_dir: Path,
    db_url: Optional[str] = None,
    extra_env: Optional[Dict[str, Optional[str]]] = None,
    extra_args: Optional[List[str]] = None,
    with_actions: bool = True,
    credentials: str = "credentials.yml",
    endpoints: str = "endpoints.yml",
    via_bot_serve: bool = False,
) -> Iterator[RunningBot]:
    """Runs both servers for the duration of the ``with`` block."""
    if not MODEL.exists():
        raise RuntimeError("No trained model: run `make train` first.")
    work_dir.mkdir(parents=True, exist_ok=True)
    rasa_port, action_port = free_port(), free_port()
    db_url = db_url or f"sqlite:///{work_dir / 'conversations.db'}"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "TRACKER_DB_URL": db_url,
        "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook",
        "ACTION_SERVER_TOKEN": secrets.token_urlsafe(32),  # endpoints.yml sends it; the action server checks it
        "VAR_DIR": str(work_dir / "var"),  # e.g. the conversation-id key: the test's own
        **(extra_env or {}),
    }
    env = {name: value for name, value in env.items() if value is not None}  # None in extra_env: unset
    bot = RunningBot(
        rasa_url=f"http://127.0.0.1:{rasa_port}",
        action_url=f"http://127.0.0.1:{action_port}",
        db_url=db_url,
        log_dir=work_dir,
        env=env,
    )
    rasa = str(VENV_BIN / "rasa")
    try:
        if with_actions:
            bot.processes["actions"] = start_process(
                "actions", [sys.executable, "-m", "processes.action_server", "--actions", "actions", "--port", str(action_port)],
                env, work_dir
            )
        # bot.serve is how `make run` and the images serve the model; `rasa run` is Rasa's own
        serve = [sys.executable, "-m", "bot.serve", "--no-warm-up"] if via_bot_serve else [rasa, "run"]
        bot.processes["rasa"] = start_process(
            "rasa",
            [*serve, "--model", str(MODEL), "--interface", "127.0.0.1", "--port", str(rasa_port),
             "--endpoints", endpoints, "--credentials", credentials, *(extra_args or [])],
            env,
            work_dir,
        )
        if with_actions:
            wait_for(f"{bot.action_url}/health", bot.processes["actions"])
        wait_for(f"{bot.rasa_url}/", bot.processes["rasa"])
        yield bot
    finally:
        for process in bot.processes.values():
            stop(process)
