"""A Redis that refuses writes (a replica after a failover: READONLY; maxmemory with
noeviction: OOM) is an unavailable dependency: 503 `service.unavailable`, never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from tests.integration.http.conftest import SECRET, free_port, serving
from tests.integration.redis_server import start_redis_server
from wap.adapters.sql.migrate import upgrade
from wap.entrypoints.config import Settings
from wap.entrypoints.http.app import create_app


@pytest.fixture
def read_only_redis(tmp_path: Path) -> Iterator[str]:
    """A redis-server of this test's own: a replica of a master that is not there, so it
    answers reads and refuses every write with READONLY."""
    port, nowhere = free_port(), free_port()
    process = start_redis_server(port, "--replicaof", "127.0.0.1", str(nowhere))
    try:
        client = redis.Redis(port=port)
        with pytest.raises(redis.exceptions.ReadOnlyError):
            client.set("probe", 1)
        client.close()
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)


async def test_a_redis_that_refuses_writes_is_a_503_not_a_500(
    tmp_path: Path, read_only_redis: str
) -> None:
    settings = Settings.from_env(
        {
            "WAP_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'wap.db'}",
            "WAP_SECRET_KEY": SECRET,
            "WAP_MEDIA_DIR": str(tmp_path / "media"),
            "WAP_GITHUB_CLIENT_ID": "client",
            "WAP_GITHUB_CLIENT_SECRET": "secret",
            "WAP_REDIS_URL": read_only_redis,
        }
    )
    await upgrade(settings.database_url)
    async with (
        serving(create_app(settings)) as url,
        httpx.AsyncClient(base_url=url, timeout=10) as client,
    ):
        sign_in = await client.get("/api/v1/auth/github/login")  # the rate limit writes
        assert sign_in.status_code == 503, sign_in.text
        assert sign_in.json()["code"] == "service.unavailable"
        for path in ("/api/v1/catalog", "/api/v1/teams", "/"):
            assert (await client.get(path)).status_code == 200, path
