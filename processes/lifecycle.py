"""Starting a process, waiting until it answers, stopping it: written once, for every caller.

``make run`` (processes/launcher.py), the tests (tests/support/servers.py) and the
benchmarks (bench/) start the processes processes/catalogue.py describes through this
module, so they all wait the same way and stop the same way:

- each process gets its own session, so ``stop()`` ends the whole tree (Sanic forks
  workers with ``SANIC_WORKERS`` > 1): SIGTERM, then SIGKILL after a grace period;
- ready means its health URL answered 2xx/3xx; a process that exits first, or is not
  ready within its own time-out, is an error that names its log and quotes its end.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent
POLL_SECONDS = 0.1  # short: the benchmark reports start-to-ready times
STOP_GRACE_SECONDS = 20.0


class NotReady(RuntimeError):
    """A process exited during start-up or did not answer in time."""


def free_port() -> int:
    """A TCP port nobody listens on now (the OS picks it), for a process started next."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str, timeout: float = 2.0) -> bool:
    """Whether ``url`` answers with a 2xx or 3xx status."""
    try:
        with urllib.request.urlopen(url, timeout=timeout):
            return True
    except (OSError, http.client.HTTPException):  # refused, reset, timed out, 4xx/5xx (HTTPError)
        return False


@dataclass
class Process:
    key: str  # short name: its log is <log_dir>/<key>.log
    title: str  # what people read: "Rasa server"
    command: List[str]
    port: int
    health_path: str
    ready_timeout: float  # seconds from launch until the health URL must answer
    env: Dict[str, str] = field(default_factory=dict)  # added to the inherited environment
    unset: Sequence[str] = ()  # removed from it
    describe: str = ""  # the line `make run` prints for it
    log: Optional[Path] = None  # None: output goes to this terminal
    popen: Optional[subprocess.Popen] = None
    started_at: float = 0.0
    ready_seconds: float = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def health_url(self) -> str:
        return self.url + self.health_path

    @property
    def pid(self) -> int:
        assert self.popen is not None, f"{self.title} was not started"
        return self.popen.pid

    def environment(self) -> Dict[str, str]:
        # unbuffered: a log read while the process runs (a start-up failure, the console's
        # first-admin note) has everything printed so far
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **self.env}
        path = env.get("PYTHONPATH", "")
        if str(ROOT) not in path.split(os.pathsep):  # the project's packages, wherever we run from
            env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), path) if p)
        for name in self.unset:
            env.pop(name, None)
        return env

    def start(self, log_dir: Optional[Path] = None) -> "Process":
        if log_dir is not None:
            log_dir.mkdir(parents=True, exist_ok=True)
            self.log = log_dir / f"{self.key}.log"
        output = open(self.log, "wb") if self.log else None
        self.started_at = time.monotonic()
        try:
            self.popen = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.environment(),
                start_new_session=True,
                stdout=output,
                stderr=subprocess.STDOUT if output else None,
            )
        finally:
            if output:
                output.close()  # the child holds its own copy
        return self

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def wait_ready(self) -> float:
        """Seconds from launch until the health URL answered; NotReady if it exits or times out."""
        assert self.popen is not None, f"{self.title} was not started"
        deadline = self.started_at + self.ready_timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise NotReady(f"{self.title} exited with code {self.popen.returncode}{self._log_tail()}")
            if answers(self.health_url):
                self.ready_seconds = time.monotonic() - self.started_at
                return self.ready_seconds
            time.sleep(POLL_SECONDS)
        raise NotReady(
            f"{self.title} was not ready after {self.ready_timeout:.0f} s ({self.health_url})"
            f"{self._log_tail()}"
        )

    def stop(self) -> None:
        popen = self.popen
        if popen is None or popen.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(popen.pid, signal.SIGTERM)
        try:
            popen.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(popen.pid, signal.SIGKILL)
            popen.wait()

    def _log_tail(self, lines: int = 15) -> str:
        if not self.log or not self.log.exists():
            return ""
        tail = self.log.read_text(errors="replace").splitlines()[-lines:]
        return f"; the end of {self.log}:\n" + "\n".join(tail)


def start_all(
    processes: Sequence[Process],
    log_dir: Optional[Path] = None,
    on_ready: Optional[Callable[[Process], None]] = None,
) -> None:
    """Launches all (so they load side by side), then waits for each; on failure stops them all."""
    try:
        for process in processes:
            process.start(log_dir)
        for process in processes:
            process.wait_ready()
            if on_ready:
                on_ready(process)
    except BaseException:
        stop_all(processes)
        raise


def stop_all(processes: Sequence[Process]) -> None:
    for process in processes:
        if process.running():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        process.stop()  # waits, then kills what ignored SIGTERM


@contextlib.contextmanager
def running(processes: Sequence[Process], log_dir: Optional[Path] = None) -> Iterator[List[Process]]:
    """The processes, started and ready, for the duration of the ``with`` block."""
    start_all(processes, log_dir)
    try:
        yield list(processes)
    finally:
        stop_all(processes)
