"""Real databases for integration tests: a SQLite file and a MariaDB database of their own.

MariaDB: ``WAP_TEST_MYSQL_URL`` (default ``mysql+aiomysql://root@127.0.0.1:3306``) names the
server; the suite creates ``wap_test_<pid>_<random>`` there, migrates it, and drops it at the
end. Tables are emptied before each test.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import BlockingConnectionPool, Redis
from sqlalchemy import delete, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from tests.conftest import service_unreachable
from wap.adapters.sql.engine import create_engine
from wap.adapters.sql.migrate import upgrade_engine
from wap.adapters.sql.tables import metadata

MYSQL_SERVER = os.environ.get("WAP_TEST_MYSQL_URL", "mysql+aiomysql://root@127.0.0.1:3306").rstrip(
    "/"
)
BACKENDS = ["sqlite", "mysql"]


@pytest.fixture(scope="session")
async def mysql_url() -> AsyncIterator[str]:
    name = f"wap_test_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_async_engine(MYSQL_SERVER + "/", isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(
                text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
            )
    except Exception as error:
        await admin.dispose()
        service_unreachable(f"MariaDB at {MYSQL_SERVER}", error)
    try:
        yield f"{MYSQL_SERVER}/{name}"
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        await admin.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("sqlite") / "wap.db"
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture(scope="session")
async def migrated_engines() -> AsyncIterator[dict[str, AsyncEngine]]:
    engines: dict[str, AsyncEngine] = {}
    yield engines
    for engine in engines.values():
        await engine.dispose()


async def empty_tables(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            await connection.execute(delete(table))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue(f"{backend}_url"))


async def migrated_engine(
    backend: str, url: str, migrated_engines: dict[str, AsyncEngine]
) -> AsyncEngine:
    """The backend's engine, migrated once per session and emptied for this test."""
    if backend not in migrated_engines:
        created = create_engine(url)
        await upgrade_engine(created)
        migrated_engines[backend] = created
    await empty_tables(migrated_engines[backend])
    return migrated_engines[backend]


@pytest.fixture
async def engine(
    backend: str, database_url: str, migrated_engines: dict[str, AsyncEngine]
) -> AsyncEngine:
    """A migrated, emptied database of each backend (the test runs once per backend)."""
    return await migrated_engine(backend, database_url, migrated_engines)


REDIS_URL = os.environ.get("WAP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
async def redis_client() -> AsyncIterator[Redis]:
    """The tests' own Redis database (index 15 by default), emptied before and after."""
    pool = BlockingConnectionPool.from_url(
        REDIS_URL, max_connections=32, timeout=10, socket_connect_timeout=2
    )
    client = Redis(connection_pool=pool)
    try:
        await client.flushdb()
    except Exception as error:
        await client.aclose()
        service_unreachable(f"Redis at {REDIS_URL}", error)
    try:
        yield client
    finally:
        await client.flushdb()
        await client.aclose()
