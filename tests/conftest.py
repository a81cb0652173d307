"""Test-wide settings. Tests marked ``model`` need the trained model (run after `make train`)."""

import pytest


def _sources_missing() -> str:
    from tests.support.project import SOURCES_DIR

    return f"source texts not found at {SOURCES_DIR}"


@pytest.fixture(scope="session")
def sources():
    """Source id -> text for tests that compare answers with the sources; they skip without them."""
    from tests.support import project

    if not project.sources_present():
        pytest.skip(_sources_missing())
    return project.source_texts()


def pytest_terminal_summary(terminalreporter):
    """One line for all the tests skipped for want of the source texts, not one per test."""
    reason = _sources_missing()
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if reason in str(r.longrepr)]
    if skipped:
        terminalreporter.write_line(
            f"{reason}: {len(skipped)} source-comparing tests skipped; set SOURCES_DIR"
        )


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
