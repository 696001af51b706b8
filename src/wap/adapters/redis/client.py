"""The process's one Redis client, set up the same way wherever it is made."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import ConnectionPool, Redis


@asynccontextmanager
async def redis_client(url: str) -> AsyncIterator[Redis]:
    # A plain pool: taking a connection is a list pop (the blocking pool's condition and
    # timeout cost a tenth of a cached read). A process never needs anywhere near the cap.
    pool = ConnectionPool.from_url(
        url,
        max_connections=512,
        socket_timeout=5,
        socket_connect_timeout=2,
        health_check_interval=30,
    )
    client = Redis(connection_pool=pool)
    try:
        yield client
    finally:
        await client.aclose()
        await pool.disconnect()
