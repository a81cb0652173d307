"""Start the real action server and Rasa server for a test, on free ports, with their own database.

    with running_bot(tmp_path) as bot:
        replies = bot.say("alice", "what is psychodynamic therapy?")

Nothing is mocked: the trained model in models/current.tar.gz answers, the action server
runs the code in actions/, and conversations go to the SQL store ``db_url`` names
(a fresh SQLite file by default). The processes are the ones `make run` and the images
start (processes/catalogue.py: ``python -m bot.serve``), started the same way
(processes/lifecycle.py); each one's output is in ``<work_dir>/<name>.log``.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import requests

from processes import catalogue
from processes.lifecycle import ROOT, Process, free_port, running  # noqa: F401 (ROOT, free_port: for tests)

MODEL = catalogue.MODEL


@dataclass
class RunningBot:
    rasa_url: str
    action_url: str
    db_url: str
    log_dir: Path
    env: Dict[str, str] = field(default_factory=dict)
    processes: Dict[str, Process] = field(default_factory=dict)  # by key: "actions", "rasa"

    @property
    def rest_url(self) -> str:
        return f"{self.rasa_url}/webhooks/rest/webhook"

    def say(self, sender: str, text: str, timeout: float = 30) -> List[dict]:
        """Sends ``text`` over the REST channel and returns the bot's messages."""
        token = self.env.get("REST_CHANNEL_TOKEN")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = requests.post(
            self.rest_url, json={"sender": sender, "message": text}, headers=headers, timeout=timeout
        )
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


@contextlib.contextmanager
def running_bot(
    work_dir: Path,
    db_url: Optional[str] = None,
    extra_env: Optional[Dict[str, Optional[str]]] = None,
    extra_args: Optional[List[str]] = None,
    with_actions: bool = True,
    credentials: str = "credentials.yml",
    endpoints: str = "endpoints.yml",
) -> Iterator[RunningBot]:
    """Runs both servers for the duration of the ``with`` block (``extra_args``: bot.serve's options;
    a None value in ``extra_env`` unsets that variable)."""
    if not MODEL.exists():
        raise RuntimeError("No trained model: run `make train` first.")
    work_dir.mkdir(parents=True, exist_ok=True)
    rasa_port, action_port = free_port(), free_port()
    db_url = db_url or f"sqlite:///{work_dir / 'conversations.db'}"
    env = {
        "TRACKER_DB_URL": db_url,
        "VAR_DIR": str(work_dir / "var"),  # e.g. the conversation-id key: the test's own
        **(extra_env or {}),
    }
    unset = [name for name, value in env.items() if value is None]
    env = {name: value for name, value in env.items() if value is not None}
    processes = catalogue.assistant(
        rasa_port,
        action_port,
        with_actions=with_actions,
        env=env,
        endpoints=endpoints,
        credentials=credentials,
        args=extra_args or (),
    )
    for process in processes:
        process.unset = unset
    rasa = processes[-1]
    bot = RunningBot(
        rasa_url=rasa.url,
        action_url=f"http://127.0.0.1:{action_port}",
        db_url=db_url,
        log_dir=work_dir,
        env=rasa.environment(),
        processes={process.key: process for process in processes},
    )
    with running(processes, work_dir):
        yield bot
