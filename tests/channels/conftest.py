"""One running assistant with every messaging channel on, talking to faked platform APIs.

Started once per test session, and only if a ``model`` test asks for it: booting Rasa is
the slow part, and the channel tests use separate senders so they do not meet.
"""

import pytest

from bot.channels import credentials as config
from tests.support.fake_platforms import FakePlatforms, Tokens
from tests.support.platform_bot import Platforms, channel_env
from tests.support.servers import running_bot


@pytest.fixture(scope="session")
def platforms(tmp_path_factory):
    work = tmp_path_factory.mktemp("channels")
    with FakePlatforms(Tokens()) as fake:
        env = channel_env(fake)
        credentials = config.write_credentials(config.configured_channels(env), work / "credentials.yml")
        with running_bot(work, extra_env=env, credentials=str(credentials)) as bot:
            yield Platforms(bot, fake, env)
