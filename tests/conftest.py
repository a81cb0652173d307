"""Test-wide settings. Tests marked ``model`` need the trained model (run after `make train`)."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def pytest_configure(config):
    config.addinivalue_line("markers", "model: needs the trained model in models/ (runs after training)")
