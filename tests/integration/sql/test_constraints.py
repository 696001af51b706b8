"""The database itself refuses what the rules forbid, and holds them under concurrency."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.builders import NOW, member, team
from tests.integration.conftest import migrated_engine
from wap.adapters.sql.engine import create_sessionmaker
from wap.adapters.sql.members import SqlMemberRepository, member_values
from wap.adapters.sql.tables import applications, likes, members, team_members, team_slots
from wap.adapters.sql.teams import SqlTeamRepository
from wap.adapters.sql.touched import Touched
from wap.domain.catalog import Category


async def _seed(engine: AsyncEngine, joiners: int = 0) -> tuple[int, list[int]]:
    sessions = create_sessionmaker(engine)
    async with sessions() as session:
        repo = SqlMemberRepository(session, Touched())
        leader = await repo.add(member())
        others = [await repo.add(member()) for _ in range(joiners)]
        opened = await SqlTeamRepository(session, Touched()).add(
            team(leader.id, slots={Category.WEB: 3})
        )
        await session.commit()
    return opened.id, [m.id for m in others]


async def test_student_number_and_github_id_are_unique(engine: AsyncEngine) -> None:
    first = member()
    async with engine.begin() as connection:
        await connection.execute(insert(members).values(member_values(first)))
    twin = member()
    twin.student_number = first.student_number
    with pytest.raises(IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(insert(members).values(member_values(twin)))
    clone = member()
    clone.github_id = first.github_id
    with pytest.raises(IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(insert(members).values(member_values(clone)))


async def test_registering_members_may_share_an_empty_student_number(engine: AsyncEngine) -> None:
    from wap.domain.members import MemberStatus

    async with engine.begin() as connection:
        for _ in range(3):
            values = member_values(member(status=MemberStatus.REGISTERING))
            assert values["student_number"] is None
            await connection.execute(insert(members).values(values))


async def test_a_slot_cannot_be_overfilled_even_by_hand(engine: AsyncEngine) -> None:
    team_id, _ = await _seed(engine)
    # MariaDB reports a failed CHECK as an OperationalError (4025), SQLite as IntegrityError.
    with pytest.raises((IntegrityError, OperationalError)):
        async with engine.begin() as connection:
            await connection.execute(
                update(team_slots).where(team_slots.c.team_id == team_id).values(filled=4)
            )


async def test_one_pending_application_per_member_and_team(engine: AsyncEngine) -> None:
    team_id, (applicant,) = await _seed(engine, joiners=1)
    row = {
        "team_id": team_id,
        "member_id": applicant,
        "category": "웹",
        "message": "hi",
        "created_at": NOW,
    }
    async with engine.begin() as connection:
        await connection.execute(
            insert(applications).values({**row, "status": "rejected", "pending_key": None})
        )
        await connection.execute(
            insert(applications).values({**row, "status": "withdrawn", "pending_key": None})
        )
        await connection.execute(
            insert(applications).values({**row, "status": "pending", "pending_key": 1})
        )
    with pytest.raises(IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(
                insert(applications).values({**row, "status": "pending", "pending_key": 1})
            )
    with pytest.raises((IntegrityError, OperationalError)):
        async with engine.begin() as connection:  # the key must follow the status
            await connection.execute(
                insert(applications).values({**row, "status": "pending", "pending_key": None})
            )


async def test_one_like_per_member_and_team(engine: AsyncEngine) -> None:
    team_id, (fan,) = await _seed(engine, joiners=1)
    async with engine.begin() as connection:
        await connection.execute(
            insert(likes).values(team_id=team_id, member_id=fan, created_at=NOW)
        )
    with pytest.raises(IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(
                insert(likes).values(team_id=team_id, member_id=fan, created_at=NOW)
            )


@pytest.fixture
async def mysql_engine(mysql_url: str, migrated_engines: dict[str, AsyncEngine]) -> AsyncEngine:
    return await migrated_engine("mysql", mysql_url, migrated_engines)


async def test_thirty_concurrent_joins_fill_a_capacity_three_slot_exactly(
    mysql_engine: AsyncEngine,
) -> None:
    """Each join runs in its own transaction on its own connection, all at once."""
    team_id, joiners = await _seed(mysql_engine, joiners=30)
    sessions = create_sessionmaker(mysql_engine)
    start = asyncio.Event()

    async def join(member_id: int) -> bool:
        async with sessions() as session:
            await start.wait()
            joined = await SqlTeamRepository(session, Touched()).take_place(
                team_id, member_id, Category.WEB, NOW + timedelta(seconds=member_id)
            )
            await session.commit()
            return joined

    tasks = [asyncio.create_task(join(m)) for m in joiners]
    await asyncio.sleep(0.05)
    start.set()
    results = await asyncio.gather(*tasks)

    assert results.count(True) == 3
    async with mysql_engine.connect() as connection:
        filled = (
            await connection.execute(
                select(team_slots.c.filled).where(team_slots.c.team_id == team_id)
            )
        ).scalar_one()
        seated = (
            await connection.execute(
                select(team_members.c.member_id).where(
                    team_members.c.team_id == team_id, team_members.c.role == "member"
                )
            )
        ).all()
    assert filled == 3 and len(seated) == 3
