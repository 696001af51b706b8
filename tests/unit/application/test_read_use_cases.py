from __future__ import annotations

import pytest

from tests.builders import member, team
from tests.fakes import (
    AwayLedger,
    FailingLikes,
    InMemoryTeamRepository,
    StubProbe,
)
from tests.unit.application.club import Club
from wap.adapters.memory.views import InMemoryViewLedger
from wap.application.catalog.get_catalog import GetCatalog
from wap.application.errors import Unavailable
from wap.application.members.get_profile import GetProfileQuery, GetPublicProfile
from wap.application.system.readiness import CheckReadiness
from wap.application.teams.queries import GetTeamDetail
from wap.application.teams.queries import TeamQuery as GetTeamQuery
from wap.domain.catalog import Category
from wap.domain.errors import MemberNotFound, TeamNotFound
from wap.domain.members import Actor, MemberStatus, Role
from wap.domain.teams import TeamStatus
from wap.domain.views import Viewer


async def test_catalog_lists_vocabularies_and_the_current_term() -> None:
    catalog = await Club().use(GetCatalog)()
    assert catalog.positions == ["백엔드", "프론트엔드", "AI", "디자이너"]
    assert catalog.genres == ["웹", "앱", "게임"]
    assert len(catalog.categories) == 18 and "UI/UX 디자인" in catalog.categories
    assert catalog.current_term == "2026-2"
    assert (catalog.limits.capacity_min, catalog.limits.capacity_max) == (1, 10)


async def test_an_approved_members_profile_is_public_without_private_fields() -> None:
    club = Club()
    approved = await club.members.add(member(name="Alice"))
    profile = await club.use(GetPublicProfile)(GetProfileQuery(approved.id))
    assert profile.name == "Alice"
    assert not hasattr(profile, "email") and not hasattr(profile, "student_number")


async def test_a_member_who_is_not_approved_is_hidden_but_from_themself_and_officers() -> None:
    club = Club()
    waiting = await club.members.add(member(status=MemberStatus.PENDING))
    get = club.use(GetPublicProfile)
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
    club = Club()
    leader = await club.members.add(member(name="Leader"))
    recruiting = await club.teams.add(
        team(leader.id, title="Board", slots={Category.WEB: 2, Category.NODE: 1})
    )
    detail = await club.use(GetTeamDetail)(GetTeamQuery(recruiting.id))
    assert detail.title == "Board"
    assert detail.leader is not None and detail.leader.name == "Leader"
    assert {(s.category, s.capacity, s.filled) for s in detail.slots} == {
        ("웹", 2, 0),
        ("노드", 1, 0),
    }


async def test_a_pending_team_is_not_found_except_by_its_leader_and_officers() -> None:
    club = Club()
    leader = await club.members.add(member())
    pending = await club.teams.add(team(leader.id, status=TeamStatus.PENDING))
    get = club.use(GetTeamDetail)
    with pytest.raises(TeamNotFound):
        await get(GetTeamQuery(pending.id))
    assert (await get(GetTeamQuery(pending.id, leader.actor))).status == "pending"
    officer = Actor(999, Role.OFFICER, MemberStatus.APPROVED)
    assert (await get(GetTeamQuery(pending.id, officer))).id == pending.id
    with pytest.raises(TeamNotFound):
        await get(GetTeamQuery(404))


async def test_readiness_needs_every_dependency() -> None:
    up = (StubProbe("database", True), StubProbe("redis", True))
    ready = await Club(probes=up).use(CheckReadiness)()
    assert ready.ready and ready.checks == {"database": True, "redis": True}
    away = (StubProbe("database", True), StubProbe("redis", False))
    down = await Club(probes=away).use(CheckReadiness)()
    assert not down.ready and down.checks["redis"] is False


async def test_a_team_page_counts_each_viewer_once_whether_cached_or_not() -> None:
    club = Club(ledger=InMemoryViewLedger())
    leader = await club.members.add(member())
    new = team(leader.id)
    new.view_count = 10
    recruiting = await club.teams.add(new)
    ledger, get = club.ledger, club.use(GetTeamDetail)
    alice, bob = Viewer.member(1), Viewer.address("10.0.0.9")
    # The first read misses the cache (the database's page), the others hit it.
    assert (await get(GetTeamQuery(recruiting.id, viewer=alice))).view_count == 11
    assert (await get(GetTeamQuery(recruiting.id, viewer=alice))).view_count == 11
    assert (await get(GetTeamQuery(recruiting.id, viewer=bob))).view_count == 12
    assert (await get(GetTeamQuery(recruiting.id))).view_count == 12  # no viewer: no view
    assert await ledger.pending([recruiting.id]) == {recruiting.id: 2}


async def test_a_pending_team_counts_no_views_even_for_those_who_see_it() -> None:
    club = Club(ledger=InMemoryViewLedger())
    leader = await club.members.add(member())
    pending = await club.teams.add(team(leader.id, status=TeamStatus.PENDING))
    ledger, get = club.ledger, club.use(GetTeamDetail)
    for viewer in (Viewer.member(leader.id), Viewer.address("10.0.0.9")):
        query = GetTeamQuery(pending.id, leader.actor, viewer)
        assert (await get(query)).view_count == 0  # never kept in the cache: a miss each time
    with pytest.raises(TeamNotFound):
        await get(GetTeamQuery(pending.id, viewer=Viewer.address("10.0.0.10")))
    assert await ledger.pending([pending.id]) == {}


async def test_a_team_page_is_served_without_its_view_while_the_ledger_is_away() -> None:
    club = Club(ledger=AwayLedger())
    leader = await club.members.add(member())
    recruiting = await club.teams.add(team(leader.id))
    get = club.use(GetTeamDetail)
    for _ in range(2):  # a miss, then a hit
        page = await get(GetTeamQuery(recruiting.id, viewer=Viewer.member(1)))
        assert page.view_count == 0


async def test_a_team_page_that_fails_counts_no_view() -> None:
    teams, ledger = InMemoryTeamRepository(), InMemoryViewLedger()
    club = Club(teams=teams, ledger=ledger, likes=FailingLikes(teams))
    leader = await club.members.add(member())
    recruiting = await club.teams.add(team(leader.id))
    get = club.use(GetTeamDetail)
    with pytest.raises(Unavailable):
        await get(GetTeamQuery(recruiting.id, leader.actor, Viewer.member(leader.id)))
    assert await ledger.pending([recruiting.id]) == {}
