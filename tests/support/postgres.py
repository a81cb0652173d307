"""A throwaway PostgreSQL database on the local server, dropped afterwards.

    with scratch_database() as url:        # postgresql://postgres@127.0.0.1:5432/reliability_1a2b3c4d
        ...

``POSTGRES_ADMIN_URL`` names the server (default: the local one, user postgres). Tests skip,
saying why, when no PostgreSQL server answers.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from typing import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine.url import make_url

ADMIN_URL = os.environ.get("POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextlib.contextmanager
def scratch_database(prefix: str = "reliability") -> Iterator[str]:
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        admin.dispose()
        pytest.skip(f"no PostgreSQL server at {ADMIN_URL}: {error.orig}")
    try:
        yield str(make_url(ADMIN_URL).set(database=name))
    finally:
        with admin.connect() as connection:
            connection.execute(
                sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()
