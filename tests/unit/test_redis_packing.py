"""The Redis client's commands packed by hiredis (adapters/redis/client.py) are the bytes
redis-py's own asyncio packer writes, for every kind of argument the adapters send."""

from __future__ import annotations

from typing import Any

import pytest
from redis.asyncio import Connection, ConnectionPool, SSLConnection, UnixDomainSocketConnection

from wap.adapters.redis.client import PackedInC, packed_in_c

COMMANDS: list[tuple[Any, ...]] = [
    ("GET", "wap:cache:team:1"),
    ("SET", "wap:cache:profile:7", b'{"name":"\\uc815"}', "EX", 300, "NX"),
    ("EVALSHA", "a" * 40, 4, "wap:views:day:2026-12-01:9", "h", "c", "p", "ip:10.0.0.1", 9, 17646),
    ("SADD", "세트", "회원:정새내", b"\x00\xff"),
    ("CONFIG GET", "maxmemory"),  # a command name of two words
    ("HINCRBY", "wap:views:pending", 12, -1),
    ("PUBLISH", "wap:live", memoryview(b"team:3")),
]  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS, ids=[str(c[0]) for c in COMMANDS])
def test_hiredis_packs_what_redis_py_packs(command: tuple[Any, ...]) -> None:
    python = b"".join(bytes(chunk) for chunk in Connection().pack_command(*command))
    packed = type("Packed", (PackedInC, Connection), {})()
    assert b"".join(packed.pack_command(*command)) == python


@pytest.mark.parametrize(
    ("url", "base"),
    [
        ("redis://127.0.0.1:6379/15", Connection),
        ("rediss://127.0.0.1:6380/15", SSLConnection),
        ("unix:///run/redis.sock?db=15", UnixDomainSocketConnection),
    ],
)
def test_the_url_still_chooses_the_connection(url: str, base: type) -> None:
    chosen = packed_in_c(ConnectionPool.from_url(url)).connection_class
    assert issubclass(chosen, base) and issubclass(chosen, PackedInC)
