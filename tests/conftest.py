"""Test-wide settings. Tests marked ``model`` need the trained model (run after `make train`)."""

import pytest


def pytest_configure(config):
    config.addinivalue_line("markers", "model: needs the trained model in models/ (runs after training)")


@pytest.fixture(scope="session")
def default_bot(tmp_path_factory):
    """The assistant as `make run` configures it, started once per session if a test asks.

    Shared by tests/reliability (bad input, load) and tests/security (HTTP API off). Rate
    limits are off: those tests send far more than a person would; tests/security checks them.
    """
    from tests.support.servers import running_bot

    work = tmp_path_factory.mktemp("default-bot")
    env = {"RATE_LIMIT_PER_MINUTE": "0", "JOURNAL_DIR": str(work / "journal")}
    with running_bot(work, extra_env=env) as bot:
        yield bot
