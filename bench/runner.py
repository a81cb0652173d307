"""Runs servers side by side under the same load, interleaved, and collects the numbers.

Each round starts every setup (timing start-to-ready), then runs each load phase
against each setup in turn, alternating the order from round to round, so the machine's
other work (it is shared) falls on all setups alike. The load average is recorded with
every phase so a noisy run can be recognised as one.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Sequence

import psutil
import sqlalchemy as sa

from bench import loadgen
from bench.procs import sample_rss, tree_cpu_seconds, tree_rss_mb
from bench.setups import RASA, ROOT, Setup
from processes import catalogue
from processes.lifecycle import Process, free_port, start_all

POSTGRES_ADMIN_URL = (
    os.environ.get("BENCH_POSTGRES_URL")
    or os.environ.get("POSTGRES_ADMIN_URL")
    or "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_DB = os.environ.get("BENCH_REDIS_DB", "11")  # a Redis database number of the benchmark's own
WARM_UP_MESSAGES = 5


@dataclass
class Phase:
    mode: str  # "open" or "closed"
    level: float  # msg/s offered (open) or concurrent senders (closed)
    seconds: float

    @property
    def key(self) -> str:
        return f"open@{self.level:g}" if self.mode == "open" else f"closed@{self.level:g}"


DEFAULT_PHASES = [Phase("open", 10, 30), Phase("open", 20, 30), Phase("closed", 8, 30)]


def load_snapshot() -> Dict[str, float]:
    one, five, fifteen = os.getloadavg()
    return {"load1": one, "load5": five, "load15": fifteen}


@contextlib.contextmanager
def postgres_database(name: str) -> Iterator[str]:
    """A database of the benchmark's own, dropped afterwards."""
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def flush_redis_db() -> None:
    import redis

    redis.Redis(host="127.0.0.1", port=6379, db=int(REDIS_DB)).flushdb()


class Bench:
    """Starts the action server once; builds, starts and loads the setups' servers."""

    def __init__(self, models: Dict[str, Path], work_dir: Path, texts: Sequence[str]):
        self.models, self.work_dir, self.texts = models, work_dir, list(texts)
        self.action_port, self.token = free_port(), catalogue.new_token()
        self.actions = catalogue.action_server(self.action_port, self.token)  # the product's, for every setup
        self.postgres_url = ""

    def server(self, setup: Setup, round_no: int) -> Process:
        slug = "".join(c if c.isalnum() else "-" for c in setup.name).strip("-")
        env = {
            "TRACKER_DB_URL": f"sqlite:///{self.work_dir / f'{slug}-{round_no}.db'}",
            "VAR_DIR": str(self.work_dir / f"{slug}-{round_no}-var"),  # the store's journal, kept apart
            "REDIS_HOST": "127.0.0.1",
            "REDIS_PORT": "6379",
            "REDIS_DB": REDIS_DB,
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "TF_CPP_MIN_LOG_LEVEL": "3",
            # The load comes from one address at up to 100 msg/s: the product's per-visitor
            # rate limits (bot/channels/safe_rest.py) would refuse most of it.
            "RATE_LIMIT_PER_MINUTE": "0",
            "RATE_LIMIT_PER_ADDRESS_PER_MINUTE": "0",
        }
        if setup.store == "postgres":
            env["TRACKER_DB_URL"] = self.postgres_url
        for name in setup.drop_env:
            env.pop(name, None)
        return setup.process(
            f"{slug}-{round_no}", self.models[setup.model], free_port(), self.action_port, self.token, env
        )

    async def first_reply_ms(self, server: Process) -> float:
        """The first message after ready: what the first visitor after a (re)start waits."""
        result = await loadgen.closed_loop(
            f"{server.url}/webhooks/rest/webhook", self.texts[:1], 1, 0.001, tag="first"
        )
        for _ in range(WARM_UP_MESSAGES):  # then warm both alike, so phases measure steady state
            await loadgen.closed_loop(f"{server.url}/webhooks/rest/webhook", self.texts, 1, 0.001, tag="warm")
        return result.latencies_ms[0] if result.latencies_ms else float("nan")

    async def run_phase(self, server: Process, phase: Phase, tag: str) -> Dict:
        url = f"{server.url}/webhooks/rest/webhook"
        rss_samples: List[float] = []
        stop = asyncio.Event()
        sampler = asyncio.create_task(sample_rss(server.pid, rss_samples, stop))
        before = load_snapshot()
        cpu_before = tree_cpu_seconds(server.pid)
        psutil.cpu_percent()  # starts the machine-wide CPU measurement interval
        if phase.mode == "open":
            result = await loadgen.open_loop(url, self.texts, phase.level, phase.seconds, tag=tag)
        else:
            result = await loadgen.closed_loop(url, self.texts, int(phase.level), phase.seconds, tag=tag)
        machine_cpu = psutil.cpu_percent()
        cpu = tree_cpu_seconds(server.pid) - cpu_before
        stop.set()
        await sampler
        summary = result.summary()
        summary.update(
            phase=phase.key,
            server_cpu_ms_per_msg=1000 * cpu / max(result.ok, 1),
            machine_cpu_percent=machine_cpu,
            rss_peak_mb=max(rss_samples, default=0.0),
            load_before=before,
            load_after=load_snapshot(),
        )
        return {"summary": summary, "latencies_ms": result.latencies_ms}

    async def run(self, setups: List[Setup], phases: List[Phase], rounds: int) -> List[Dict]:
        records: List[Dict] = []
        with contextlib.ExitStack() as stack:
            if any(v.store == "postgres" for v in setups):
                self.postgres_url = stack.enter_context(postgres_database(f"bench_issue6_{os.getpid()}"))
            if any("SANIC_WORKERS" in v.env for v in setups):
                stack.callback(flush_redis_db)
            await self._rounds(setups, phases, rounds, records)
        return records

    async def _rounds(
        self, setups: List[Setup], phases: List[Phase], rounds: int, records: List[Dict]
    ) -> None:
        start_all([self.actions], self.work_dir)
        try:
            for round_no in range(rounds):
                order = setups if round_no % 2 == 0 else list(reversed(setups))
                servers: List[Process] = []
                try:
                    for setup in order:
                        ready = await self._start(setup, round_no, servers)
                        records.append({"round": round_no, "setup": setup.name, "kind": "start", **ready})
                    for phase in phases:
                        for setup, server in zip(order, servers, strict=True):
                            tag = f"r{round_no}-{phase.key}"
                            measured = await self.run_phase(server, phase, tag)
                            records.append(
                                {"round": round_no, "setup": setup.name, "kind": "load", **measured}
                            )
                            print(_one_line(setup.name, measured["summary"]), flush=True)
                finally:
                    for server in servers:
                        server.stop()
        finally:
            self.actions.stop()

    async def _start(self, setup: Setup, round_no: int, servers: List[Process]) -> Dict:
        """Starts one setup's server, timing launch to ready (its log: <work_dir>/<slug>-<round>.log)."""
        server = self.server(setup, round_no)
        load = load_snapshot()
        await asyncio.get_running_loop().run_in_executor(None, start_all, [server], self.work_dir)
        servers.append(server)
        ready = server.ready_seconds
        idle_rss = tree_rss_mb(server.pid)
        first = await self.first_reply_ms(server)
        print(
            f"{setup.name:<42} ready in {ready:5.1f} s, {idle_rss:5.0f} MB, first reply {first:5.0f} ms"
            f" (load {load['load1']:.2f})",
            flush=True,
        )
        return {"ready_seconds": ready, "idle_rss_mb": idle_rss, "first_reply_ms": first, "load_before": load}


def _one_line(name: str, s: Dict) -> str:
    return (
        f"{name:<42} {s['phase']:<10} ok {s['ok']:5d} err {s['errors']:3d} "
        f"{s['throughput']:6.1f} msg/s p50 {s['p50_ms']:7.1f} p95 {s['p95_ms']:7.1f} "
        f"p99 {s['p99_ms']:7.1f} ms cpu {s['server_cpu_ms_per_msg']:5.1f} ms/msg "
        f"rss {s['rss_peak_mb']:5.0f} MB load {s['load_after']['load1']:.2f}"
    )


def evaluate_accuracy(model: Path, out: Path) -> Dict:
    """evaluation/model_eval.py's evaluate(), in a child process (it loads the model)."""
    import json

    subprocess.run(
        [
            str(Path(RASA).parent / "python"),
            "-m",
            "evaluation.model_eval",
            "--model",
            str(model),
            "--json",
            str(out),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"},
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    report = json.loads(out.read_text())
    return {
        k: report[k]
        for k in (
            "heldout_accuracy",
            "heldout_total",
            "crisis_recall",
            "crisis_false_alarm_rate",
            "latency_ms_p50",
            "latency_ms_p95",
        )
    }


def new_work_dir() -> Path:
    base = ROOT / "var" / "bench" / "runs"
    base.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=time.strftime("%Y%m%d-%H%M%S-"), dir=base))
