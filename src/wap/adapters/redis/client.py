"""The process's one Redis client, set up the same way wherever it is made."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from redis.asyncio import ConnectionPool, Redis
from redis.connection import HiredisRespSerializer

_PACKER = HiredisRespSerializer()


class PackedInC:
    """Commands packed by hiredis, in C, as redis-py's own synchronous client does
    (``HiredisRespSerializer``); its asyncio connections pack them in Python, which was 5 % of
    a cached team page (docs/performance.md, *Fourth pass*). Mixed into whichever connection
    class the URL chose (TCP, TLS, Unix socket)."""

    def pack_command(self, *args: Any) -> list[bytes]:
        return _PACKER.pack(*args)  # type: ignore[no-any-return]


def packed_in_c(pool: ConnectionPool) -> ConnectionPool:
    base = pool.connection_class
    pool.connection_class = type(f"PackedInC{base.__name__}", (PackedInC, base), {})
    return pool


@asynccontextmanager
async def redis_client(url: str) -> AsyncIterator[Redis]:
    # A plain pool: taking a connection is a list pop (the blocking pool's condition and
    # timeout cost a tenth of a cached read). A process never needs anywhere near the cap.
    pool = packed_in_c(
        ConnectionPool.from_url(
            url,
            max_connections=512,
            socket_timeout=5,
            socket_connect_timeout=2,
            health_check_interval=30,
        )
    )
    client = Redis(connection_pool=pool)
    try:
        yield client
    finally:
        await client.aclose()
        await pool.disconnect()
