"""Starting servers, timing start-to-ready, and sampling their memory and CPU.

A server is a process tree (``SANIC_WORKERS`` > 1 forks workers), so memory is the
resident set of the whole tree, and CPU time is summed over it too: CPU-milliseconds per
message is the measure least disturbed by other work on a shared machine.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import psutil
import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tree(pid: int) -> List[psutil.Process]:
    try:
        parent = psutil.Process(pid)
        return [parent, *parent.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def tree_rss_mb(pid: int) -> float:
    total = 0
    for process in tree(pid):
        try:
            total += process.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total / 2**20


def tree_cpu_seconds(pid: int) -> float:
    total = 0.0
    for process in tree(pid):
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


@dataclass
class Server:
    name: str
    command: List[str]
    env: Dict[str, str]
    port: int
    log: Path
    unset: List[str] = field(default_factory=list)
    ready_path: str = "/"  # Rasa answers on /, the action server on /health  # variables removed from the inherited environment
    process: Optional[subprocess.Popen] = None
    ready_seconds: float = 0.0
    rss_samples: List[float] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 300.0) -> float:
        """Starts the server; returns seconds from launch until ``GET ready_path`` answers."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        env = {**os.environ, **self.env}
        for name in self.unset:
            env.pop(name, None)
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, env=env,
            stdout=open(self.log, "wb"), stderr=subprocess.STDOUT, start_new_session=True,
        )
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}; see {self.log}")
            try:
                if requests.get(self.url + self.ready_path, timeout=1).ok:
                    self.ready_seconds = time.monotonic() - started
                    return self.ready_seconds
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise TimeoutError(f"{self.name} not ready after {timeout} s; see {self.log}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def rss_mb(self) -> float:
        return tree_rss_mb(self.process.pid) if self.process else 0.0

    def cpu_seconds(self) -> float:
        return tree_cpu_seconds(self.process.pid) if self.process else 0.0


async def sample_rss(server: Server, stop: asyncio.Event, every: float = 0.5) -> None:
    """Records the server's resident memory until ``stop`` is set (peak is what we report)."""
    while not stop.is_set():
        server.rss_samples.append(server.rss_mb())
        try:
            await asyncio.wait_for(stop.wait(), timeout=every)
        except asyncio.TimeoutError:
            pass
