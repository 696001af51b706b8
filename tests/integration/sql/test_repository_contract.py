"""One contract for the persistence ports, run over the in-memory twins, SQLite and MariaDB."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.builders import NOW, member, team
from tests.fakes import (
    FakeUnitOfWork,
    InMemoryMemberRepository,
    InMemoryTeamRepository,
    RecordingMailQueue,
    RepositoryTeamPages,
)
from tests.integration.conftest import migrated_engine
from wap.adapters.cache import NoReadCache
from wap.adapters.sql.engine import create_sessionmaker
from wap.adapters.sql.members import SqlMemberRepository
from wap.adapters.sql.reader import SqlTeamDetailReader
from wap.adapters.sql.teams import SqlTeamRepository
from wap.adapters.sql.touched import Touched
from wap.adapters.sql.uow import SqlUnitOfWork
from wap.application.members.ports import MemberRepository
from wap.application.notices.notifier import Outbox
from wap.application.ports import UnitOfWork
from wap.application.teams.ports import TeamRepository
from wap.domain.catalog import Category, Position
from wap.domain.errors import TitleTaken
from wap.domain.members import Bio, MemberStatus, Role, TechStack
from wap.domain.teams import Team, TeamRole, TeamStatus, Title, slot_specs
from wap.domain.values import Links


@dataclass
class Repos:
    members: MemberRepository
    teams: TeamRepository
    uow: UnitOfWork


class Store(Protocol):
    def transaction(self) -> AbstractAsyncContextManager[Repos]: ...


class MemoryStore:
    def __init__(self) -> None:
        self.repos = Repos(InMemoryMemberRepository(), InMemoryTeamRepository(), FakeUnitOfWork())

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Repos]:
        yield self.repos


class SqlStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.sessions = create_sessionmaker(engine)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Repos]:
        async with self.sessions() as session:
            touched = Touched()  # one per transaction, as the container gives one per request
            yield Repos(
                SqlMemberRepository(session, touched),
                SqlTeamRepository(session, touched),
                SqlUnitOfWork(session, touched, NoReadCache(), Outbox(), RecordingMailQueue()),
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


async def test_a_member_round_trips_with_korean_text_and_emoji(store: Store) -> None:
    person = member(name="김와프")
    person.bio = Bio("안녕하세요 👋 백엔드 개발자입니다")
    person.tech_stack = TechStack.of(["Python", "파이썬", "🚀"])
    person.links = Links.of(["https://github.com/wap", "https://blog.example.com/글"])
    async with store.transaction() as repos:
        person = await repos.members.add(person)
        await repos.uow.commit()
    async with store.transaction() as repos:
        loaded = await repos.members.get(person.id)
        by_github = await repos.members.get_by_github_id(person.github_id)
    assert loaded == person
    assert by_github == person
    assert loaded is not None and loaded.created_at == NOW and loaded.created_at.tzinfo


async def test_saving_writes_every_changed_field(store: Store) -> None:
    person = member(status=MemberStatus.PENDING)
    async with store.transaction() as repos:
        person = await repos.members.add(person)
        await repos.uow.commit()
    person.approve()
    person.update_profile(position=Position.DESIGNER, notify_email=False)
    person.role = Role.OFFICER
    async with store.transaction() as repos:
        await repos.members.save(person)
        await repos.uow.commit()
    async with store.transaction() as repos:
        assert await repos.members.get(person.id) == person
        assert await repos.members.count_officers() == 1


async def test_student_numbers_and_deletion(store: Store) -> None:
    person = member()
    async with store.transaction() as repos:
        person = await repos.members.add(person)
        await repos.uow.commit()
    assert person.student_number is not None
    async with store.transaction() as repos:
        assert await repos.members.student_number_owner(person.student_number.value) == person.id
        assert await repos.members.student_number_owner("000000000") is None
        await repos.members.delete(person.id)
        await repos.uow.commit()
    async with store.transaction() as repos:
        assert await repos.members.get(person.id) is None
        assert await repos.members.get(person.id + 1000) is None


async def _leader(store: Store) -> int:
    leader = member()
    async with store.transaction() as repos:
        leader = await repos.members.add(leader)
        await repos.uow.commit()
    return leader.id


async def _opened(store: Store, leader_id: int, title: str) -> Team:
    """A stored team with two slots and a deadline a week ahead."""
    opened = team(leader_id, title=title, slots={Category.WEB: 3, Category.UIUX_DESIGN: 1})
    opened.recruit_until = NOW + timedelta(days=7)
    async with store.transaction() as repos:
        opened = await repos.teams.add(opened)
        await repos.uow.commit()
    return opened


async def test_a_team_round_trips_with_slots_and_its_leader(store: Store) -> None:
    leader_id = await _leader(store)
    opened = await _opened(store, leader_id, "웹 게시판 🚀")
    async with store.transaction() as repos:
        loaded = await repos.teams.get(opened.id)
        people = await repos.teams.members(opened.id)
    assert loaded == opened
    assert [(p.member_id, p.role, p.category) for p in people] == [
        (leader_id, TeamRole.LEADER, None)
    ]


async def test_titles_are_unique_regardless_of_case(store: Store) -> None:
    leader_id = await _leader(store)
    async with store.transaction() as repos:
        await repos.teams.add(team(leader_id, title="WAP Board"))
        await repos.uow.commit()
    async with store.transaction() as repos:
        assert await repos.teams.title_owner(Title.of("wap board").key) is not None
        with pytest.raises(TitleTaken):
            await repos.teams.add(team(leader_id, title="wap BOARD"))
    # Only case is ignored: accents still make a different title.
    async with store.transaction() as repos:
        await repos.teams.add(team(leader_id, title="Café"))
        await repos.teams.add(team(leader_id, title="Cafe"))
        await repos.uow.commit()


async def test_renaming_onto_a_taken_title_is_refused(store: Store) -> None:
    leader_id = await _leader(store)
    first, second = team(leader_id, title="First"), team(leader_id, title="Second")
    async with store.transaction() as repos:
        first = await repos.teams.add(first)
        second = await repos.teams.add(second)
        await repos.uow.commit()
    second.title = Title.of("FIRST")
    async with store.transaction() as repos:
        with pytest.raises(TitleTaken):
            await repos.teams.save(second)


async def test_places_are_taken_only_while_a_slot_has_room(store: Store) -> None:
    leader_id = await _leader(store)
    recruiting = team(leader_id, slots={Category.WEB: 2, Category.NODE: 1})
    async with store.transaction() as repos:
        recruiting = await repos.teams.add(recruiting)
        await repos.uow.commit()
    joiners = [await _leader(store) for _ in range(3)]
    async with store.transaction() as repos:
        taken = [
            await repos.teams.take_place(recruiting.id, m, Category.WEB, NOW + timedelta(hours=i))
            for i, m in enumerate(joiners)
        ]
        assert not await repos.teams.take_place(recruiting.id, joiners[2], Category.UNITY, NOW)
        await repos.uow.commit()
    assert taken == [True, True, False]
    async with store.transaction() as repos:
        loaded = await repos.teams.get(recruiting.id)
        people = await repos.teams.members(recruiting.id)
    assert loaded is not None and loaded.slots[Category.WEB].filled == 2
    assert [p.member_id for p in people] == [leader_id, joiners[0], joiners[1]]

    async with store.transaction() as repos:
        assert await repos.teams.free_place(recruiting.id, joiners[0])
        assert not await repos.teams.free_place(recruiting.id, joiners[0])
        assert not await repos.teams.free_place(recruiting.id, leader_id)
        await repos.uow.commit()
    async with store.transaction() as repos:
        loaded = await repos.teams.get(recruiting.id)
    assert loaded is not None and loaded.slots[Category.WEB].filled == 1


async def test_saving_replaces_slots_and_keeps_filled_counts(store: Store) -> None:
    leader_id = await _leader(store)
    recruiting = team(leader_id, slots={Category.WEB: 2, Category.NODE: 1})
    async with store.transaction() as repos:
        recruiting = await repos.teams.add(recruiting)
        await repos.uow.commit()
    joiner = await _leader(store)
    async with store.transaction() as repos:
        assert await repos.teams.take_place(recruiting.id, joiner, Category.WEB, NOW)
        await repos.uow.commit()
    async with store.transaction() as repos:
        loaded = await repos.teams.get_for_update(recruiting.id)
        assert loaded is not None
        loaded.replace_slots(slot_specs([("웹", 5), ("유니티", 2)]), NOW)
        loaded.status = TeamStatus.COMPLETED
        await repos.teams.save(loaded)
        await repos.uow.commit()
    async with store.transaction() as repos:
        again = await repos.teams.get(recruiting.id)
    assert again is not None and again.status is TeamStatus.COMPLETED
    assert {c: (s.capacity, s.filled) for c, s in again.slots.items()} == {
        Category.WEB: (5, 1),
        Category.UNITY: (2, 0),
    }


async def test_an_uncommitted_unit_of_work_leaves_nothing(engine: AsyncEngine) -> None:
    # SQL only: the in-memory twin has no transactions (use-case tests count its commits).
    store = SqlStore(engine)
    person = member()
    async with store.transaction() as repos:
        person = await repos.members.add(person)
    async with store.transaction() as repos:
        assert await repos.members.get(person.id) is None


async def test_deleting_a_team_removes_its_slots_and_members(store: Store) -> None:
    leader_id = await _leader(store)
    doomed = team(leader_id)
    async with store.transaction() as repos:
        doomed = await repos.teams.add(doomed)
        await repos.uow.commit()
    async with store.transaction() as repos:
        await repos.teams.delete(doomed.id)
        await repos.uow.commit()
    async with store.transaction() as repos:
        assert await repos.teams.get(doomed.id) is None
        assert await repos.teams.members(doomed.id) == []


async def test_the_sql_team_page_equals_the_one_built_from_the_repositories(
    engine: AsyncEngine,
) -> None:
    """The detail reader's one statement gives the same page as the team and member
    repositories (the in-memory twin's way); a missing team is None. Runs on both backends."""
    store = SqlStore(engine)
    opened = await _opened(store, await _leader(store), "페이지 🚀")
    async with store.sessions() as session:
        pages = SqlTeamDetailReader(session)
        built = RepositoryTeamPages(
            SqlTeamRepository(session, Touched()), SqlMemberRepository(session, Touched())
        )
        assert await pages.detail(opened.id) == await built.detail(opened.id)
        assert (await pages.detail(opened.id)).leader is not None  # type: ignore[union-attr]
        assert await pages.detail(opened.id + 1000) is None
