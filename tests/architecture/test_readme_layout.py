"""The README's layout sketch names every top-level folder and configuration file, and only
ones that exist, so it cannot drift from `ls` as folders move."""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def layout_block() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Layout\n\n```\n(.*?)\n```", readme, re.S | re.M)
    assert match, "README.md has a '## Layout' section with the tree in a code block"
    return match.group(1)


def tracked() -> list:
    result = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip("not a git checkout")
    return result.stdout.splitlines()


def test_the_layout_lists_every_top_level_folder_and_no_other():
    named = {line.split()[0].rstrip("/") for line in layout_block().splitlines() if re.match(r"\S+/\s", line)}
    folders = {path.split("/")[0] for path in tracked() if "/" in path and not path.startswith(".")}
    assert named == folders, (
        f"missing from README: {sorted(folders - named)}; gone: {sorted(named - folders)}"
    )


def test_the_layout_names_every_top_level_yaml_file_and_each_exists():
    block = layout_block()
    named = {line.split()[0] for line in block.splitlines() if re.match(r"[\w.-]+\.yml\s", line)}
    assert all((ROOT / name).is_file() for name in named), named
    for path in tracked():
        if "/" not in path and path.endswith(".yml"):
            assert path in block, f"README's layout does not mention {path}"
