"""One assistant in its default configuration, shared by the bad-input and load tests.

Started once per session, and only if a ``model`` test asks for it. Rate limits are off
here (the tests send far more than a person would); tests/security checks them.
"""

import pytest

from tests.support.servers import running_bot


@pytest.fixture(scope="session")
def default_bot(tmp_path_factory):
    work = tmp_path_factory.mktemp("reliability")
    env = {"RATE_LIMIT_PER_MINUTE": "0", "JOURNAL_DIR": str(work / "journal")}
    with running_bot(work, extra_env=env) as bot:
        yield bot
