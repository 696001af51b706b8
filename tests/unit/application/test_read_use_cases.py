from __future__ import annotations

import pytest

from tests.builders import NOW, member, team
from tests.fakes import (
    InMemoryLikeRepository,
    InMemoryMemberRepository,
    InMemoryTeamRepository,
    RepositoryTeamPages,
)
from wap.adapters.cache import MemoryBytesStore, StoreReadCache
from wap.adapters.memory.views import InMemoryViewLedger
from wap.adapters.system import FixedClock
from wap.application.catalog.get_catalog import GetCatalog
from wap.application.members.get_profile import GetProfileQuery, GetPublicProfile
from wap.application.system.readiness import CheckReadiness, DependencyProbe
from wap.application.teams.queries import GetTeamDetail
from wap.application.teams.queries import TeamQuery as GetTeamQuery
from wap.domain.catalog import Category
from wap.domain.errors import MemberNotFound, TeamNotFound
from wap.domain.members import Actor, MemberStatus, Role
from wap.domain.teams import TeamStatus


async def test_catalog_lists_vocabularies_and_the_current_term() -> None:
    catalog = await GetCatalog(FixedClock(NOW))()
    assert catalog.positions == ["백엔드", "프론트엔드", "AI", "디자이너"]
    assert catalog.genres == ["웹", "앱", "게임"]
    assert len(catalog.categories) == 18 and "UI/UX 디자인" in catalog.categories
    assert catalog.current_term == "2026-2"
    assert (catalog.limits.capacity_min, catalog.limits.capacity_max) == (1, 10)


async def test_an_approved_members_profile_is_public_without_private_fields() -> None:
    approved = member(name="Alice")
    members = InMemoryMemberRepository(approved)
    assert approved.id is not None
    profile = await GetPublicProfile(members, StoreReadCache(MemoryBytesStore()))(
        GetProfileQuery(approved.id)
    )
    assert profile.name == "Alice"
    assert not hasattr(profile, "email") and not hasattr(profile, "student_number")


async def test_a_member_who_is_not_approved_is_hidden_but_from_themself_and_officers() -> None:
    waiting = member(status=MemberStatus.PENDING)
    members = InMemoryMemberRepository(waiting)
    assert waiting.id is not None
    get = GetPublicProfile(members, StoreReadCache(MemoryBytesStore()))
    with pytest.raises(MemberNotFound):
        await get(GetProfileQuery(waiting.id))
    with pytest.raises(MemberNotFound):
        await get(GetProfileQuery(waiting.id, Actor(999, Role.MEMBER, MemberStatus.APPROVED)))
    assert (await get(GetProfileQuery(waiting.id, waiting.actor))).id == waiting.id
    officer = Actor(999, Role.OFFICER, MemberStatus.APPROVED)
    assert (await get(GetProfileQuery(waiting.id, officer))).id == waiting.id
    with pytest.raises(MemberNotFound):
        await get(GetProfileQuery(12345))


async def test_team_detail_shows_slots_and_leader() -> None:
    leader = member(name="Leader")
    members = InMemoryMemberRepository(leader)
    assert leader.id is not None
    recruiting = team(leader.id, title="Board", slots={Category.WEB: 2, Category.NODE: 1})
    teams = InMemoryTeamRepository(recruiting)
    assert recruiting.id is not None
    detail = await GetTeamDetail(
        RepositoryTeamPages(teams, members),
        InMemoryLikeRepository(teams),
        StoreReadCache(MemoryBytesStore()),
        InMemoryViewLedger(),
        FixedClock(NOW),
    )(GetTeamQuery(recruiting.id))
    assert detail.title == "Board"
    assert detail.leader is not None and detail.leader.name == "Leader"
    assert {(s.category, s.capacity, s.filled) for s in detail.slots} == {
        ("웹", 2, 0),
        ("노드", 1, 0),
    }


async def test_a_pending_team_is_not_found_except_by_its_leader_and_officers() -> None:
    leader = member()
    members = InMemoryMemberRepository(leader)
    assert leader.id is not None
    pending = team(leader.id, status=TeamStatus.PENDING)
    teams = InMemoryTeamRepository(pending)
    assert pending.id is not None
    get = GetTeamDetail(
        RepositoryTeamPages(teams, members),
        InMemoryLikeRepository(teams),
        StoreReadCache(MemoryBytesStore()),
        InMemoryViewLedger(),
        FixedClock(NOW),
    )
    with pytest.raises(TeamNotFound):
        await get(GetTeamQuery(pending.id))
    assert (await get(GetTeamQuery(pending.id, leader.actor))).status == "pending"
    officer = Actor(999, Role.OFFICER, MemberStatus.APPROVED)
    assert (await get(GetTeamQuery(pending.id, officer))).id == pending.id
    with pytest.raises(TeamNotFound):
        await get(GetTeamQuery(404))


class StubProbe(DependencyProbe):
    def __init__(self, name: str, up: bool) -> None:
        self.name, self.up = name, up

    async def ping(self) -> bool:
        return self.up


async def test_readiness_needs_every_dependency() -> None:
    ready = await CheckReadiness([StubProbe("database", True), StubProbe("redis", True)])()
    assert ready.ready and ready.checks == {"database": True, "redis": True}
    down = await CheckReadiness([StubProbe("database", True), StubProbe("redis", False)])()
    assert not down.ready and down.checks["redis"] is False
