"""processes/lifecycle.py: start, wait until ready, stop the whole tree; failures named with their log."""

import os
import sys
import time

import psutil
import pytest

from processes.lifecycle import NotReady, Process, free_port, running, start_all

# A server that forks a child (as Sanic's workers do), then answers on its port after a moment.
SERVER = """
import http.server, subprocess, sys, time
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
print("starting", flush=True)
time.sleep(0.3)
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), http.server.SimpleHTTPRequestHandler).serve_forever()
"""


def server(port, code=SERVER, timeout=20.0, env=None, unset=()):
    return Process(
        "toy",
        "toy server",
        [sys.executable, "-c", code, str(port)],
        port,
        "/",
        timeout,
        env=env or {},
        unset=unset,
    )


def test_ready_when_the_health_url_answers_and_stop_ends_the_whole_tree(tmp_path):
    port = free_port()
    with running([server(port)], tmp_path) as (toy,):
        assert toy.ready_seconds >= 0.3, "not ready before the port answers"
        tree = [psutil.Process(toy.pid), *psutil.Process(toy.pid).children(recursive=True)]
        assert len(tree) == 2
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(
        p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in tree
    ):
        time.sleep(0.1)
    assert not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in tree), (
        "the forked child too"
    )
    assert "starting" in (tmp_path / "toy.log").read_text()


def test_a_process_that_exits_during_start_up_is_reported_with_its_log(tmp_path):
    crash = "import sys; print('cannot load the model', flush=True); sys.exit(3)"
    with pytest.raises(NotReady, match=r"(?s)exited with code 3.*cannot load the model"):
        start_all([server(free_port(), code=crash)], tmp_path)


def test_not_ready_within_its_time_out_is_an_error_and_the_others_are_stopped(tmp_path):
    silent = "import time; time.sleep(600)"
    fine, stuck = server(free_port()), server(free_port(), code=silent, timeout=1.5)
    fine.key = "fine"
    started = time.monotonic()
    with pytest.raises(NotReady, match="not ready after 2 s"):
        start_all([fine, stuck], tmp_path)
    assert time.monotonic() - started < 15
    assert not fine.running() and not stuck.running()


def test_environment_adds_the_project_and_removes_what_is_unset(monkeypatch):
    monkeypatch.setenv("SOMETHING_INHERITED", "1")
    toy = server(free_port(), env={"EXTRA": "yes"}, unset=["SOMETHING_INHERITED"])
    env = toy.environment()
    assert env["EXTRA"] == "yes" and "SOMETHING_INHERITED" not in env
    from processes.lifecycle import ROOT

    assert str(ROOT) in env["PYTHONPATH"].split(os.pathsep)


def test_free_ports_are_free():
    import socket

    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))  # would raise if something listened there
