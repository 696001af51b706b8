"""CommandBatch against a real Redis: the commands of one loop turn share one pipeline (one
connection), each caller gets its own reply or error, and nothing is sent twice or lost."""

from __future__ import annotations

import asyncio
import socket

import pytest
from redis.asyncio import ConnectionPool, Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from tests.integration.conftest import REDIS_URL
from wap.adapters.redis.batch import CommandBatch


async def fresh_client() -> Redis:
    """A client with a pool of its own, so that its connections can be counted."""
    return Redis(connection_pool=ConnectionPool.from_url(REDIS_URL, max_connections=512))


async def test_concurrent_commands_share_one_connection_and_get_their_own_replies(
    redis_client: Redis,
) -> None:
    client = await fresh_client()
    try:
        batch = CommandBatch(client)
        await client.set("batch:a", b"1")
        await client.set("batch:b", b"2")

        replies = await asyncio.gather(
            *(batch.execute("GET", "batch:a" if i % 2 else "batch:b") for i in range(200)),
            *(batch.execute("INCR", "batch:n") for _ in range(100)),
        )

        assert replies[:200] == [b"1" if i % 2 else b"2" for i in range(200)]
        assert sorted(replies[200:]) == list(range(1, 101))  # each INCR once, none lost
        assert await client.get("batch:n") == b"100"
        # Three hundred commands in flight at once went over one connection: one pipeline.
        assert len(client.connection_pool._available_connections) == 1  # type: ignore[attr-defined]
    finally:
        await client.aclose()


async def test_set_additions_are_counted_exactly_once(redis_client: Redis) -> None:
    batch = CommandBatch(redis_client)
    added = await asyncio.gather(
        *(batch.execute("SADD", "batch:viewers", f"v{i % 10}") for i in range(500))
    )
    assert sum(added) == 10
    assert await redis_client.scard("batch:viewers") == 10


async def test_a_failing_command_fails_only_its_caller(redis_client: Redis) -> None:
    batch = CommandBatch(redis_client)
    await redis_client.set("batch:text", b"not a number")
    results = await asyncio.gather(
        batch.execute("INCR", "batch:count"),
        batch.execute("INCR", "batch:text"),
        batch.execute("INCR", "batch:count"),
        return_exceptions=True,
    )
    assert sorted(r for r in results if isinstance(r, int)) == [1, 2]
    assert isinstance(results[1], ResponseError)


async def test_a_script_redis_does_not_know_is_loaded_once(redis_client: Redis) -> None:
    batch = CommandBatch(redis_client)
    source = "return redis.call('SADD', KEYS[1], ARGV[1])"
    sha = redis_client.register_script(source).sha
    await redis_client.script_flush()
    added = await asyncio.gather(
        *(batch.evalsha(sha, source, ["batch:scripted"], [f"m{i}"]) for i in range(20))
    )
    assert added == [1] * 20
    assert await redis_client.scard("batch:scripted") == 20
    assert await redis_client.script_exists(sha) == [True]


async def test_a_lost_connection_fails_every_caller_of_the_batch() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = Redis(port=port, socket_connect_timeout=1, retry_on_error=[])
    try:
        batch = CommandBatch(client)
        results = await asyncio.gather(
            *(batch.execute("GET", f"k{i}") for i in range(5)), return_exceptions=True
        )
        assert all(isinstance(r, (RedisConnectionError, OSError)) for r in results), results
        # The batch is not stuck: the next turn's commands are sent (and fail) again.
        with pytest.raises((RedisConnectionError, OSError)):
            await batch.execute("GET", "k")
    finally:
        await client.aclose()


async def test_a_cancelled_caller_leaves_the_others_their_replies(redis_client: Redis) -> None:
    batch = CommandBatch(redis_client)
    await redis_client.set("batch:kept", b"yes")
    doomed = asyncio.ensure_future(batch.execute("SADD", "batch:cancelled", "x"))
    kept = asyncio.ensure_future(batch.execute("GET", "batch:kept"))
    await asyncio.sleep(0)  # both joined the batch
    doomed.cancel()
    assert await kept == b"yes"
    # The cancelled caller's command was sent all the same (cancelling stops the wait only).
    assert await redis_client.scard("batch:cancelled") == 1
