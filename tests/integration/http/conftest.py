"""The real app over real HTTP: uvicorn on a free loopback port, httpx as the client."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.conftest import migrated_engine
from wap.entrypoints.config import Settings
from wap.entrypoints.http.app import create_app

SECRET = "test-secret-" + "x" * 40


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def serving(app: Litestar) -> AsyncIterator[str]:
    """Serve ``app`` on 127.0.0.1 until the block ends; yields the base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started or task.done():
            break
        await asyncio.sleep(0.01)
    if not server.started:
        raise RuntimeError("the test server did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@dataclass
class Api:
    client: httpx.AsyncClient
    engine: AsyncEngine
    settings: Settings


@pytest.fixture
async def api(
    backend: str, database_url: str, migrated_engines: dict[str, AsyncEngine]
) -> AsyncIterator[Api]:
    engine = await migrated_engine(backend, database_url, migrated_engines)
    settings = Settings.from_env({"WAP_DATABASE_URL": database_url, "WAP_SECRET_KEY": SECRET})
    async with (
        serving(create_app(settings)) as base_url,
        httpx.AsyncClient(base_url=base_url, timeout=10) as client,
    ):
        yield Api(client, engine, settings)
