"""processes/catalogue.py: one description per process, and it is what ships.

The Rasa server every caller starts is deploy/Dockerfile's (bot.serve), with options bot.serve
accepts; each process's module exists; the tests, bench and make run build their processes
here (no second copy of the start-up code anywhere).
"""

import ast
import importlib.util
import re
import sys
from pathlib import Path

from bot import serve
from processes import catalogue

ROOT = Path(__file__).resolve().parents[2]


def every_process():
    return [
        *catalogue.assistant(5005, 5055, token="t" * 32),
        catalogue.demo_page(8080, socket_url="http://x"),
        catalogue.console(5080),
    ]


def test_each_process_is_a_module_of_this_project_with_its_own_port_health_check_and_time_out():
    processes = every_process()
    assert [p.key for p in processes] == ["actions", "rasa", "web", "console"]
    for process in processes:
        assert process.command[:2] == [sys.executable, "-m"]
        assert importlib.util.find_spec(process.command[2]) is not None, process.command[2]
        assert str(process.port) in process.command
        assert process.health_url.startswith(f"http://127.0.0.1:{process.port}/")
        assert process.ready_timeout == catalogue.READY_SECONDS[process.key]


def test_the_rasa_server_is_the_one_the_image_runs_with_options_bot_serve_accepts():
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    image = re.search(r'^CMD \["python", "-m", "([\w.]+)"', dockerfile, re.M).group(1)
    rasa = catalogue.rasa_server(5005, 5055, "t" * 32, args=["--enable-api", "--cors", "https://a.example"])
    assert rasa.command[2] == image == "bot.serve"
    options = serve.parse_args(rasa.command[3:])
    assert (options.port, options.endpoints, options.enable_api, options.cors) == (
        5005,
        "endpoints.yml",
        True,
        ["https://a.example"],
    )
    assert options.warm_up and options.trim_imports, "tests get the shipped warm-up and import trimming"


def test_both_servers_share_one_secret_and_the_rasa_server_finds_the_action_server():
    actions, rasa = catalogue.assistant(5005, 5055)
    assert len(actions.env["ACTION_SERVER_TOKEN"]) >= 32
    assert rasa.env["ACTION_SERVER_TOKEN"] == actions.env["ACTION_SERVER_TOKEN"]
    assert rasa.env["ACTION_SERVER_URL"] == "http://127.0.0.1:5055/webhook"
    assert catalogue.assistant(5005, 5055, with_actions=False)[0].key == "rasa"


def imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def python_files(*folders):
    return [path for folder in folders for path in (ROOT / folder).rglob("*.py")]


def test_no_other_copy_of_the_start_up_code():
    """Processes are started through processes/lifecycle.py; nothing else spawns the servers."""
    spawners = [
        path.relative_to(ROOT).as_posix()
        for path in python_files("tests", "bench", "processes")
        if "tests/processes/" not in path.as_posix()  # the tests of this code
        and re.search(
            r"subprocess\.Popen\(|\"run\", \"actions\"|-m\", \"(bot\.serve|demo\.server|console)\"",
            path.read_text(encoding="utf-8"),
        )
    ]
    # bench/profile.py also starts py-spy (a profiler, not one of ours) on a server lifecycle.py started
    assert sorted(spawners) == ["bench/profile.py", "processes/catalogue.py", "processes/lifecycle.py"]


def test_imports_go_one_way():
    """Tooling (bench) never imports tests; tests never import the benchmarks (bench.synthetic, the
    synthetic conversation generator, is test data, not a benchmark); no sys.path tricks in bench."""
    for path in python_files("bench", "processes"):
        assert not [m for m in imports(path) if m == "tests" or m.startswith("tests.")], path
        assert "sys.path.insert" not in path.read_text(encoding="utf-8"), path
    for path in python_files("tests"):
        if "tests/bench/" in path.as_posix():
            continue  # tests of the benchmark code itself
        wrong = [
            m for m in imports(path) if (m == "bench" or m.startswith("bench.")) and m != "bench.synthetic"
        ]
        assert not wrong, (path, wrong)


def test_the_table_in_docs_processes_md_says_what_the_catalogue_does():
    rows = {
        line.split("|")[1].strip(): line
        for line in (ROOT / "docs" / "processes.md").read_text().splitlines()
        if line.startswith("| ") and "`python -m" in line
    }
    titles = {
        "action server": "actions",
        "Rasa server": "rasa",
        "demo page": "web",
        "staff console": "console",
    }
    processes = {p.key: p for p in every_process()}
    assert set(rows) == set(titles)
    for title, key in titles.items():
        process, row = processes[key], rows[title]
        assert f"`python -m {' '.join(process.command[2:3])}" in row, title
        assert f"`GET {process.health_path}`" in row and row.rstrip(" |").endswith(
            f"{process.ready_timeout:.0f} s"
        ), title
