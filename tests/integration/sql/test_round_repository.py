"""The round repository's contract, run over the in-memory twin, SQLite and MariaDB, so the
twin the use-case tests rely on never drifts from the real thing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.builders import NOW, member, team
from tests.fakes import InMemoryMemberRepository, InMemoryTeamRepository
from tests.integration.conftest import migrated_engine
from tests.round_fakes import InMemoryRoundRepository
from wap.adapters.sql.engine import create_sessionmaker
from wap.adapters.sql.members import SqlMemberRepository
from wap.adapters.sql.rounds import SqlRoundRepository
from wap.adapters.sql.teams import SqlTeamRepository
from wap.adapters.sql.touched import Touched
from wap.application.members.ports import MemberRepository
from wap.application.rounds.ports import OutcomeRow, RoundRepository
from wap.application.teams.ports import TeamRepository
from wap.domain.catalog import Category
from wap.domain.errors import RoundAlreadyOpen
from wap.domain.members import MemberStatus
from wap.domain.rounds import Entry, NewRound, Pair, SlotKey
from wap.domain.terms import Term


@dataclass
class Repos:
    members: MemberRepository
    teams: TeamRepository
    rounds: RoundRepository
    session: AsyncSession | None = None  # None: the in-memory twins, nothing to commit

    async def commit(self) -> None:
        if self.session is not None:
            await self.session.commit()


class Store(Protocol):
    def transaction(self) -> AbstractAsyncContextManager[Repos]: ...


class MemoryStore:
    def __init__(self) -> None:
        members, teams = InMemoryMemberRepository(), InMemoryTeamRepository()
        self.repos = Repos(members, teams, InMemoryRoundRepository(members, teams))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Repos]:
        yield self.repos


class SqlStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.sessions = create_sessionmaker(engine)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Repos]:
        async with self.sessions() as session:
            touched = Touched()
            yield Repos(
                SqlMemberRepository(session, touched),
                SqlTeamRepository(session, touched),
                SqlRoundRepository(session),
                session,
            )


@pytest.fixture(params=["memory", "sqlite", "mysql"])
def store_kind(request: pytest.FixtureRequest) -> tuple[str, str | None]:
    kind = str(request.param)
    return kind, None if kind == "memory" else str(request.getfixturevalue(f"{kind}_url"))


@pytest.fixture
async def store(
    store_kind: tuple[str, str | None], migrated_engines: dict[str, AsyncEngine]
) -> Store:
    kind, url = store_kind
    if url is None:
        return MemoryStore()
    return SqlStore(await migrated_engine(kind, url, migrated_engines))


async def test_a_round_and_everything_in_it_round_trips(store: Store) -> None:
    term = Term.at(NOW)
    async with store.transaction() as repos:
        leader = await repos.members.add(member())
        a, b = await repos.members.add(member()), await repos.members.add(member())
        await repos.members.add(member(status=MemberStatus.PENDING))
        stored_team = await repos.teams.add(
            team(leader.id, slots={Category.WEB: 2, Category.IOS: 1})
        )
        older = await repos.rounds.add(
            NewRound.open(
                officer_id=leader.id, deadline=NOW + timedelta(days=1), max_choices=3, now=NOW
            )
        )
        older.publish(NOW + timedelta(days=1))  # a term has one unpublished round at most
        await repos.rounds.save(older)
        new = NewRound.open(
            officer_id=leader.id, deadline=NOW + timedelta(days=2), max_choices=4, now=NOW
        )
        round_ = await repos.rounds.add(new)
        await repos.commit()
    web, ios = SlotKey(stored_team.id, Category.WEB), SlotKey(stored_team.id, Category.IOS)
    async with store.transaction() as repos:
        latest = await repos.rounds.latest(term)
        assert latest is not None and latest.id == round_.id != older.id
        assert await repos.rounds.latest(Term(2000, 1)) is None
        # Only approved members in no team of the term: not the leader, not the pending one.
        assert await repos.rounds.eligible(term) == [a.id, b.id]
        await repos.rounds.opt_in(round_.id, stored_team.id)
        await repos.rounds.opt_in(round_.id, stored_team.id)  # idempotent
        await repos.rounds.save_entry(round_.id, Entry(a.id, (ios, web), "안녕 👋", NOW))
        await repos.rounds.save_entry(round_.id, Entry(b.id, (web,), "", NOW))
        await repos.rounds.save_entry(
            round_.id, Entry(b.id, (web, ios), "다시", NOW + timedelta(minutes=1))
        )
        await repos.rounds.save_ranking(round_.id, stored_team.id, [b.id, a.id])
        loaded = await repos.rounds.get_for_update(round_.id)
        assert loaded is not None
        loaded.run(NOW)
        loaded.pin(Pair(a.id, web), NOW)
        loaded.remove(Pair(b.id, ios), NOW)
        await repos.rounds.save(loaded)
        await repos.rounds.save_outcome(
            round_.id,
            [
                OutcomeRow(a.id, "김와프", "placed", stored_team.id, "팀", "웹", 2),
                OutcomeRow(b.id, "김와프", "unplaced", reason="outranked"),
            ],
        )
        await repos.commit()
    async with store.transaction() as repos:
        assert await repos.rounds.teams_in(round_.id) == [stored_team.id]
        assert await repos.rounds.entries(round_.id) == [
            Entry(a.id, (ios, web), "안녕 👋", NOW),
            Entry(b.id, (web, ios), "다시", NOW + timedelta(minutes=1)),
        ]
        assert await repos.rounds.entries(round_.id, b.id) == [
            Entry(b.id, (web, ios), "다시", NOW + timedelta(minutes=1))
        ]
        assert await repos.rounds.entries(round_.id, 999_999) == []
        assert await repos.rounds.rankings(round_.id) == {stored_team.id: (b.id, a.id)}
        again = await repos.rounds.get(round_.id)
        assert again == loaded
        assert [r.result for r in await repos.rounds.outcome(round_.id)] == ["placed", "unplaced"]
        await repos.rounds.opt_out(round_.id, stored_team.id)
        await repos.commit()
    async with store.transaction() as repos:
        assert await repos.rounds.teams_in(round_.id) == []
        assert await repos.rounds.rankings(round_.id) == {}
        assert await repos.rounds.get(999_999) is None
        # Joining a team of the term ends taking part.
        assert await repos.teams.take_place(stored_team.id, a.id, Category.WEB, NOW)
        await repos.commit()
    async with store.transaction() as repos:
        assert await repos.rounds.eligible(term) == [b.id]


async def test_a_term_has_one_unpublished_round_at_most(store: Store) -> None:
    """The store itself refuses a second unpublished round of a term (not only the use case's
    check, which two officers opening at once can both pass); a published one frees the term,
    and other terms are not affected."""

    def opening(now: datetime = NOW) -> NewRound:
        return NewRound.open(officer_id=1, deadline=now + timedelta(days=1), max_choices=3, now=now)

    async with store.transaction() as repos:
        first = await repos.rounds.add(opening())
        await repos.commit()
    for state in ("open", "closed"):
        async with store.transaction() as repos:
            with pytest.raises(RoundAlreadyOpen):
                await repos.rounds.add(opening())
            if state == "open":
                loaded = await repos.rounds.get(first.id)
                assert loaded is not None
                loaded.run(NOW)
                await repos.rounds.save(loaded)
                await repos.commit()
    async with store.transaction() as repos:
        # Another term is free; the refused adds left nothing behind.
        elsewhere = await repos.rounds.add(opening(NOW + timedelta(days=200)))
        assert elsewhere.term != first.term
        loaded = await repos.rounds.get(first.id)
        assert loaded is not None
        loaded.publish(NOW)
        await repos.rounds.save(loaded)
        second = await repos.rounds.add(opening())
        await repos.commit()
    async with store.transaction() as repos:
        latest = await repos.rounds.latest(first.term)
        assert latest is not None and latest.id == second.id != first.id
        with pytest.raises(RoundAlreadyOpen):
            await repos.rounds.add(opening())
