"""One contract for the session and e-mail code stores, over the in-memory twin and Redis."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from wap.adapters.memory.sessions import InMemoryEmailCodeStore, InMemorySessionStore
from wap.adapters.redis.sessions import RedisEmailCodeStore, RedisSessionStore
from wap.application.auth.ports import (
    CodeCheck,
    EmailCodeStore,
    RefreshOutcome,
    SessionStore,
)


@pytest.fixture(params=["memory", "redis"])
def backend_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def sessions(backend_name: str, request: pytest.FixtureRequest) -> SessionStore:
    if backend_name == "memory":
        return InMemorySessionStore()
    redis: Redis = request.getfixturevalue("redis_client")
    return RedisSessionStore(redis)


@pytest.fixture
def codes(backend_name: str, request: pytest.FixtureRequest) -> EmailCodeStore:
    if backend_name == "memory":
        return InMemoryEmailCodeStore()
    redis: Redis = request.getfixturevalue("redis_client")
    return RedisEmailCodeStore(redis)


async def test_a_session_is_open_until_closed(sessions: SessionStore) -> None:
    assert await sessions.member_of("s1") is None
    await sessions.open("s1", 7, 60)
    assert await sessions.member_of("s1") == 7
    await sessions.close("s1")
    assert await sessions.member_of("s1") is None


async def test_a_refresh_token_is_fresh_once_then_reused(sessions: SessionStore) -> None:
    await sessions.open("s1", 7, 60)
    await sessions.add_refresh("d1", "s1", 60)
    first = await sessions.use_refresh("d1")
    assert (first.outcome, first.session_id, first.member_id) == (RefreshOutcome.FRESH, "s1", 7)
    again = await sessions.use_refresh("d1")
    assert (again.outcome, again.session_id) == (RefreshOutcome.REUSED, "s1")
    assert (await sessions.use_refresh("never")).outcome is RefreshOutcome.UNKNOWN


async def test_a_refresh_token_names_its_session_without_being_used(
    sessions: SessionStore,
) -> None:
    await sessions.open("s1", 7, 60)
    await sessions.add_refresh("d1", "s1", 60)
    assert await sessions.session_of_refresh("d1") == "s1"
    assert await sessions.session_of_refresh("d1") == "s1"
    assert (await sessions.use_refresh("d1")).outcome is RefreshOutcome.FRESH  # still unused
    assert await sessions.session_of_refresh("d1") == "s1"  # used: still names its session
    assert await sessions.session_of_refresh("never") is None


async def test_a_refresh_token_of_a_closed_session_is_unknown(sessions: SessionStore) -> None:
    await sessions.open("s1", 7, 60)
    await sessions.add_refresh("d1", "s1", 60)
    await sessions.close("s1")
    assert (await sessions.use_refresh("d1")).outcome is RefreshOutcome.UNKNOWN


async def test_of_fifty_concurrent_uses_exactly_one_is_fresh(sessions: SessionStore) -> None:
    await sessions.open("s1", 7, 60)
    await sessions.add_refresh("d1", "s1", 60)
    uses = await asyncio.gather(*(sessions.use_refresh("d1") for _ in range(50)))
    outcomes = [u.outcome for u in uses]
    assert outcomes.count(RefreshOutcome.FRESH) == 1
    assert outcomes.count(RefreshOutcome.REUSED) == 49


async def test_sessions_and_refresh_tokens_expire(sessions: SessionStore) -> None:
    await sessions.open("s1", 7, 1)
    await sessions.add_refresh("d1", "s1", 1)
    await asyncio.sleep(1.1)
    assert await sessions.member_of("s1") is None
    assert (await sessions.use_refresh("d1")).outcome is RefreshOutcome.UNKNOWN


async def test_the_cooldown_holds_for_its_time(codes: EmailCodeStore) -> None:
    assert await codes.start_cooldown(7, 1)
    assert not await codes.start_cooldown(7, 1)
    assert await codes.start_cooldown(8, 1)  # per member
    await asyncio.sleep(1.1)
    assert await codes.start_cooldown(7, 1)


async def test_a_right_code_works_once(codes: EmailCodeStore) -> None:
    await codes.put(7, "a@b.co", "right", 60)
    assert await codes.check(7, "a@b.co", "right", 5) is CodeCheck.OK
    assert await codes.check(7, "a@b.co", "right", 5) is CodeCheck.EXPIRED


async def test_the_fifth_wrong_try_burns_the_code(codes: EmailCodeStore) -> None:
    await codes.put(7, "a@b.co", "right", 60)
    for _ in range(4):
        assert await codes.check(7, "a@b.co", "wrong", 5) is CodeCheck.MISMATCH
    assert await codes.check(7, "other@b.co", "right", 5) is CodeCheck.MISMATCH
    assert await codes.check(7, "a@b.co", "right", 5) is CodeCheck.EXPIRED


async def test_a_new_code_replaces_the_old_one_and_its_tries(codes: EmailCodeStore) -> None:
    await codes.put(7, "a@b.co", "first", 60)
    for _ in range(4):
        await codes.check(7, "a@b.co", "wrong", 5)
    await codes.put(7, "a@b.co", "second", 60)
    assert await codes.check(7, "a@b.co", "first", 5) is CodeCheck.MISMATCH
    assert await codes.check(7, "a@b.co", "second", 5) is CodeCheck.OK


async def test_codes_expire(codes: EmailCodeStore) -> None:
    await codes.put(7, "a@b.co", "right", 1)
    await asyncio.sleep(1.1)
    assert await codes.check(7, "a@b.co", "right", 5) is CodeCheck.EXPIRED


async def test_concurrent_checks_of_a_right_code_succeed_once(codes: EmailCodeStore) -> None:
    await codes.put(7, "a@b.co", "right", 60)
    results = await asyncio.gather(*(codes.check(7, "a@b.co", "right", 5) for _ in range(20)))
    assert results.count(CodeCheck.OK) == 1
