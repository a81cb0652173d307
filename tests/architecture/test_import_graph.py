"""The direction of imports (HELPERS.md, README "Layout"), read from every .py file's syntax tree.

Product (bot, actions, console, demo, processes) never imports the tooling (bench, evaluation)
or the tests; bot, which the Rasa server loads, never imports the console or the demo page;
tooling never imports the tests; tests import the benchmarks only to test them (tests/bench/);
and nothing edits sys.path (PYTHONPATH and pytest.ini's ``pythonpath`` say where code is).
Each failure names the file, the line and the import that breaks a rule.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterator, List, NamedTuple, Tuple

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {".git", ".venv", "build", "node_modules", "var", "models", "results", "__pycache__"}

PRODUCT = {"bot", "actions", "console", "demo", "processes"}
TOOLING = {"bench", "evaluation"}

# (importing package, imported package) -> why it is forbidden
FORBIDDEN = {
    **{(p, t): "product never imports tooling or tests" for p in PRODUCT for t in TOOLING | {"tests"}},
    ("bot", "console"): "bot (loaded by the Rasa server) never imports the staff console",
    ("bot", "demo"): "bot (loaded by the Rasa server) never imports the demo page",
    **{(t, "tests"): "tooling never imports tests" for t in TOOLING},
    ("tests", "bench"): "tests import bench only to test it (tests/bench/)",
}

# Not leaks: tests/bench/ tests the benchmarks, and bench/synthetic.py is the synthetic
# conversation generator that the console's tests and its benchmark (bench/console_seed.py)
# share; it can live in neither tests/ (bench may not import tests) nor the product.
ALLOWED_MODULES = {("tests/bench/", "bench"), ("tests/", "bench.synthetic")}


class Finding(NamedTuple):
    path: str  # relative to the repository, with /
    line: int
    target: str  # the module imported, or "sys.path.<method>"
    rule: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.target} ({self.rule})"


def within(target: str, module: str) -> bool:
    """``bench.synthetic.x`` is within ``bench.synthetic``; ``bench.synthetics`` is not."""
    return target == module or target.startswith(module + ".")


def python_files() -> Iterator[Path]:
    for path in sorted(ROOT.rglob("*.py")):
        if not SKIPPED_DIRS & set(path.relative_to(ROOT).parts[:-1]):
            yield path


def module_name(relative: Path) -> str:
    parts = list(relative.with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> Iterator[Tuple[int, str]]:
    """``(line, absolute module)`` for each import, relative ones resolved, and each
    ``importlib.import_module("...")`` or ``__import__("...")`` with a literal name."""
    relative = path.relative_to(ROOT)
    package = module_name(relative).split(".")
    if relative.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            if node.module is None:  # from . import x: each x may be a module
                for alias in node.names:
                    yield node.lineno, f"{module}.{alias.name}" if module else alias.name
            else:
                yield node.lineno, module
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                yield node.lineno, node.args[0].value


def sys_path_edits(path: Path) -> Iterator[Tuple[int, str]]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Attribute)
            and node.func.value.attr == "path"
            and isinstance(node.func.value.value, ast.Name)
            and node.func.value.value.id == "sys"
        ):
            yield node.lineno, f"sys.path.{node.func.attr}"


def findings() -> List[Finding]:
    found = []
    for path in python_files():
        relative = path.relative_to(ROOT).as_posix()
        source = relative.split("/")[0]
        for line, target in imports(path):
            rule = FORBIDDEN.get((source, target.split(".")[0]))
            allowed = any(
                relative.startswith(prefix) and within(target, module) for prefix, module in ALLOWED_MODULES
            )
            if rule and not allowed:
                found.append(Finding(relative, line, target, rule))
        for line, target in sys_path_edits(path):
            found.append(
                Finding(relative, line, target, "nothing edits sys.path: PYTHONPATH says where code is")
            )
    return found


def test_imports_go_the_right_way():
    broken = [str(f) for f in findings()]
    assert not broken, "imports against the layering:\n" + "\n".join(broken)


def test_the_checker_sees_each_kind_of_wrong_import(tmp_path, monkeypatch):
    """The rules fire on a small tree with one of each mistake (and stay quiet on a right one)."""
    files = {
        "bot/a.py": "from console.db import schema\nimport bot.settings\n",
        "bot/b/__init__.py": "from . import tests\n",  # bot.b.tests: not the tests folder
        "console/c.py": "import importlib\nimportlib.import_module('evaluation.faq_eval')\n",
        "bench/d.py": "from tests.support import servers\n",
        "evaluation/e.py": "import sys\nsys.path.insert(0, '.')\n",
        "tests/x/test_f.py": "from bench.runner import run\nfrom bench.synthetic import ConversationBuilder\n",
        "tests/bench/test_g.py": "from bench.runner import run\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    got = {(f.path, f.target) for f in findings()}
    assert got == {
        ("bot/a.py", "console.db"),
        ("console/c.py", "evaluation.faq_eval"),
        ("bench/d.py", "tests.support"),
        ("evaluation/e.py", "sys.path.insert"),
        ("tests/x/test_f.py", "bench.runner"),
    }
