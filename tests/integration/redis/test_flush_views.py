"""The flush is exactly once: crashes at every step and overlapping flushes, against real
Redis and real databases (SQLite and MariaDB)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import date

import pytest
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.builders import member, team
from wap.adapters.cache import MemoryBytesStore, StoreReadCache
from wap.adapters.redis.views import RedisViewLedger
from wap.adapters.sql.engine import create_sessionmaker
from wap.adapters.sql.members import SqlMemberRepository
from wap.adapters.sql.tables import teams
from wap.adapters.sql.teams import SqlTeamRepository
from wap.adapters.sql.touched import Touched
from wap.adapters.sql.views import SqlViewCounts
from wap.application.views.flush import FlushViews
from wap.application.views.ports import ViewCounts, ViewLedger
from wap.domain.views import Viewer

DAY = date(2099, 1, 1)


class Crash(Exception):
    """The process died here."""


class CrashingCounts(ViewCounts):
    """Dies before or after the database step, once."""

    def __init__(self, inner: ViewCounts, when: str) -> None:
        self.inner, self.when = inner, when

    async def apply(self, batch_id: str, counts: Mapping[int, int]) -> bool:
        if self.when == "before_apply":
            self.when = ""
            raise Crash()
        applied = await self.inner.apply(batch_id, counts)
        if self.when == "after_apply":
            self.when = ""
            raise Crash()
        return applied


class CrashingLedger(RedisViewLedger):
    """Dies on release (after the database committed), once."""

    def __init__(self, redis: Redis) -> None:
        super().__init__(redis)
        self.crash_on_release = True

    async def release(self, batch_id: str) -> None:
        if self.crash_on_release:
            self.crash_on_release = False
            raise Crash()
        await super().release(batch_id)


async def seed_teams(engine: AsyncEngine, count: int) -> list[int]:
    async with create_sessionmaker(engine)() as session:
        leader = await SqlMemberRepository(session, Touched()).add(member())
        made = [
            await SqlTeamRepository(session, Touched()).add(team(leader.id)) for _ in range(count)
        ]
        await session.commit()
    return [t.id for t in made]


async def stored(engine: AsyncEngine, team_ids: list[int]) -> dict[int, int]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(teams.c.id, teams.c.view_count).where(teams.c.id.in_(team_ids))
        )
        return {row.id: row.view_count for row in rows}


async def view(ledger: ViewLedger, team_ids: list[int], viewers: range) -> None:
    for team_id in team_ids:
        for v in viewers:
            await ledger.record_and_count(team_id, Viewer.member(v), DAY)


def flusher(ledger: ViewLedger, counts: ViewCounts) -> FlushViews:
    return FlushViews(ledger, counts, StoreReadCache(MemoryBytesStore()))


@pytest.mark.parametrize("when", ["before_apply", "after_apply", "on_release"])
async def test_a_crash_at_any_step_loses_nothing_and_doubles_nothing(
    engine: AsyncEngine, redis_client: Redis, when: str
) -> None:
    ids = await seed_teams(engine, 3)
    ledger = CrashingLedger(redis_client) if when == "on_release" else RedisViewLedger(redis_client)
    counts = SqlViewCounts(create_sessionmaker(engine))
    await view(ledger, ids, range(10))
    with pytest.raises(Crash):
        await flusher(ledger, CrashingCounts(counts, when))()
    # A claim left behind still counts as pending for readers until it is released.
    assert await ledger.pending(ids) == {i: 10 for i in ids}
    await view(ledger, ids, range(10, 15))
    result = await flusher(RedisViewLedger(redis_client), counts)()
    assert await stored(engine, ids) == {i: 15 for i in ids}
    assert await RedisViewLedger(redis_client).pending(ids) == {}
    assert await RedisViewLedger(redis_client).claims() == {}
    assert result.views == (45 if when == "before_apply" else 15)
    again = await flusher(RedisViewLedger(redis_client), counts)()
    assert again.views == 0 and await stored(engine, ids) == {i: 15 for i in ids}


async def test_overlapping_flushes_while_views_pour_in_count_each_view_once(
    engine: AsyncEngine, redis_client: Redis
) -> None:
    ids = await seed_teams(engine, 4)
    ledger = RedisViewLedger(redis_client)
    counts = SqlViewCounts(create_sessionmaker(engine))

    async def viewers(start: int) -> None:
        for v in range(start, start + 25):
            for team_id in ids:
                await ledger.record_and_count(team_id, Viewer.member(v), DAY)
            await asyncio.sleep(0)

    async def flushes() -> None:
        for _ in range(5):
            await flusher(ledger, counts)()
            await asyncio.sleep(0.001)

    await asyncio.gather(viewers(0), viewers(25), viewers(50), flushes(), flushes(), flushes())
    await flusher(ledger, counts)()
    assert await stored(engine, ids) == {i: 75 for i in ids}


async def test_counts_for_deleted_teams_are_dropped_cleanly(
    engine: AsyncEngine, redis_client: Redis
) -> None:
    ids = await seed_teams(engine, 2)
    ledger = RedisViewLedger(redis_client)
    await view(ledger, ids, range(3))
    async with create_sessionmaker(engine)() as session:
        await SqlTeamRepository(session, Touched()).delete(ids[0])
        await session.commit()
    result = await flusher(ledger, SqlViewCounts(create_sessionmaker(engine)))()
    assert result.batches == 1
    assert await stored(engine, ids) == {ids[1]: 3}
    assert await ledger.claims() == {}
