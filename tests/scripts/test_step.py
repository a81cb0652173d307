"""scripts/step: one line per set-up step, the output in build/logs/, the log's end on failure."""

import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def step(tmp_path, *args, env=None):
    shutil.copy(ROOT / "scripts" / "step", tmp_path / "step")
    return subprocess.run(
        [str(tmp_path / "step"), *args], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=30
    )


def test_a_step_that_works_prints_one_line_with_its_time_and_keeps_its_output(tmp_path):
    done = step(
        tmp_path, "Installing Python packages", "bash", "-c", "echo 'Location ... is ignored' >&2; echo ok"
    )
    assert done.returncode == 0
    assert re.fullmatch(r"✓ Installing Python packages \(\d+s\)\n", done.stdout) and done.stderr == ""
    log = tmp_path / "build" / "logs" / "installing-python-packages.log"
    assert log.read_text() == "Location ... is ignored\nok\n"


def test_a_failing_step_shows_the_end_of_its_log_and_its_path_and_fails(tmp_path):
    failed = step(tmp_path, "Building the pipeline", "bash", "-c", "seq 1 40; echo 'the real error'; exit 7")
    assert failed.returncode == 7 and failed.stdout == ""
    assert "✗ Building the pipeline failed" in failed.stderr and "the real error" in failed.stderr
    assert "    40\n" in failed.stderr and "    5\n" not in failed.stderr, "only the last lines"
    assert "build/logs/building-the-pipeline.log" in failed.stderr


def test_show_also_streams_the_output(tmp_path):
    shown = step(tmp_path, "--show", "Training the model", "echo", "epoch 1/10")
    assert shown.returncode == 0 and shown.stdout.startswith("epoch 1/10\n✓ Training the model (")
