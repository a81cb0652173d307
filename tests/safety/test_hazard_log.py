"""The hazard log (docs/safety/hazard-log.yml) names only tests that exist and are not skipped.

A control is only as good as the test that proves it: a renamed, deleted or skipped test
would leave a hazard looking controlled when nothing checks it any more.
"""

import ast
from functools import cache, lru_cache
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
LOG = ROOT / "docs" / "safety" / "hazard-log.yml"
SKIPPING = {"skip", "skipif", "xfail"}


@lru_cache(maxsize=1)
def hazards():
    return yaml.safe_load(LOG.read_text(encoding="utf-8"))["hazards"]


def named_tests():
    return sorted(
        {test for hazard in hazards() for control in hazard["controls"] for test in control["tests"]}
    )


def _marks(decorators):
    """Names of pytest marks among decorators or a ``pytestmark`` value."""
    names = set()
    for node in decorators:
        for sub in ast.walk(node):
            if (
                isinstance(sub, ast.Attribute)
                and isinstance(sub.value, ast.Attribute)
                and sub.value.attr == "mark"
            ):
                names.add(sub.attr)
            if (
                isinstance(sub, ast.Attribute)
                and sub.attr in ("skip", "xfail")
                and getattr(sub.value, "id", "") == "pytest"
            ):
                names.add(sub.attr)  # pytest.skip(...) at module level
    return names


@cache
def _module(path):
    return ast.parse((ROOT / path).read_text(encoding="utf-8"))


def test_every_hazard_has_controls_tests_and_residual_risk():
    assert hazards(), "the hazard log is empty"
    for hazard in hazards():
        for key in ("id", "title", "cause", "effect", "severity", "controls", "residual_risk"):
            assert hazard.get(key), f"{hazard.get('id')}: no {key}"
        for control in hazard["controls"]:
            assert control.get("tests"), f"{control['id']}: a control with no test proves nothing"


@pytest.mark.parametrize("name", named_tests())
def test_a_named_test_exists_and_is_not_skipped(name):
    if name.startswith("story: "):
        story = name[len("story: ") :]
        stories = [
            s.get("story")
            for f in sorted((ROOT / "tests" / "stories").glob("*.yml"))
            for s in (yaml.safe_load(f.read_text(encoding="utf-8")) or {}).get("stories") or []
        ]
        assert story in stories, f"no story named {story!r} in tests/stories"
        return
    path, _, function = name.partition("::")
    assert (ROOT / path).is_file(), f"{path} does not exist"
    module = _module(path)
    module_marks = _marks(
        [
            node.value
            for node in module.body
            if isinstance(node, ast.Assign)
            and any(getattr(t, "id", "") == "pytestmark" for t in node.targets)
        ]
    )
    module_marks |= _marks([node for node in module.body if isinstance(node, ast.Expr)])
    assert not module_marks & SKIPPING, f"{path} is skipped as a whole"
    found = [
        node
        for node in ast.walk(module)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == function
    ]
    assert found, f"{path} has no test {function}"
    assert not _marks(found[0].decorator_list) & SKIPPING, f"{name} is marked skip"


def test_the_checker_catches_a_missing_or_skipped_test(tmp_path):
    """The check above can fail: a skipped test and a missing one are both caught."""
    sample = tmp_path / "tests" / "test_sample.py"
    sample.parent.mkdir()
    sample.write_text("import pytest\n\n@pytest.mark.skip(reason='x')\ndef test_skipped():\n    pass\n")
    globals()["ROOT"], saved = tmp_path, ROOT
    try:
        _module.cache_clear()
        with pytest.raises(AssertionError, match="marked skip"):
            test_a_named_test_exists_and_is_not_skipped("tests/test_sample.py::test_skipped")
        with pytest.raises(AssertionError, match="has no test"):
            test_a_named_test_exists_and_is_not_skipped("tests/test_sample.py::test_missing")
    finally:
        globals()["ROOT"] = saved
        _module.cache_clear()


def test_readme_links_the_safety_case():
    assert "docs/safety/" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readable_page_lists_every_hazard_and_test_of_the_log():
    page = (ROOT / "docs" / "safety" / "hazard-log.md").read_text(encoding="utf-8")
    for hazard in hazards():
        assert f"## {hazard['id']}. {hazard['title']}" in page
    for name in named_tests():
        assert f"`{name}`" in page, f"hazard-log.md lacks {name}"
