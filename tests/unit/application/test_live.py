"""Live updates in the application: what a commit announces, and what a page that starts to
listen is told first (with the same visibility as the team page)."""

from __future__ import annotations

import pytest

from tests.builders import NOW, member, team
from tests.fakes import (
    FakeUnitOfWork,
    InMemoryMemberRepository,
    InMemoryNoticeRepository,
    InMemoryTeamRepository,
    RepositoryTeamPages,
)
from wap.application.errors import AuthRequired
from wap.application.live import LiveUpdates, WatchInbox, WatchQuery, WatchTeam
from wap.application.ports import LiveEvent, LiveEvents
from wap.domain.catalog import Category
from wap.domain.errors import TeamNotFound
from wap.domain.members import Role
from wap.domain.notifications import NewNotice, NoticeKind
from wap.domain.teams import TeamStatus


class RecordingLiveEvents(LiveEvents):
    def __init__(self) -> None:
        self.sent: list[tuple[str, LiveEvent]] = []

    async def publish(self, channel: str, event: LiveEvent) -> None:
        self.sent.append((channel, event))


class Setup:
    def __init__(self) -> None:
        self.members, self.teams = InMemoryMemberRepository(), InMemoryTeamRepository()
        self.notices, self.events = InMemoryNoticeRepository(), RecordingLiveEvents()
        self.pages = RepositoryTeamPages(self.teams, self.members)
        self.uow = FakeUnitOfWork()


async def test_a_commit_announces_slot_counts_gone_teams_and_unread_counts() -> None:
    s = Setup()
    leader, applicant = await s.members.add(member()), await s.members.add(member())
    board = await s.teams.add(team(leader.id, slots={Category.WEB: 2, Category.IOS: 1}))
    await s.teams.take_place(board.id, applicant.id, Category.WEB, NOW)
    await s.notices.add_many([NewNotice(applicant.id, NoticeKind.APPLICATION_ACCEPTED, NOW, {})])
    await LiveUpdates(s.pages, s.notices, s.events).announce([board.id, 999], [applicant.id])
    (team_channel, slots), gone, inbox = s.events.sent
    assert team_channel == f"team:{board.id}"
    assert {k: v for k, v in slots.items() if k != "slots"} == {
        "type": "slots",
        "team_id": board.id,
        "status": "recruiting",
    }
    assert sorted(slots["slots"], key=lambda x: x["category"]) == [
        {"category": "IOS", "filled": 0, "capacity": 1},
        {"category": "웹", "filled": 1, "capacity": 2},
    ]
    assert gone == ("team:999", {"type": "gone", "team_id": 999})
    assert inbox == (f"member:{applicant.id}", {"type": "inbox", "unread": 1})


async def test_watching_a_team_needs_the_right_to_see_it_and_releases_the_transaction() -> None:
    s = Setup()
    leader = await s.members.add(member())
    officer = await s.members.add(member(role=Role.OFFICER))
    stranger = await s.members.add(member())
    pending = await s.teams.add(team(leader.id, status=TeamStatus.PENDING))
    watch = WatchTeam(s.pages, s.uow)
    for allowed in (leader.actor, officer.actor):
        seen = await watch(WatchQuery(pending.id, allowed))
        assert seen["type"] == "slots" and seen["status"] == "pending"
    for refused in (stranger.actor, None):
        with pytest.raises(TeamNotFound):
            await watch(WatchQuery(pending.id, refused))
    with pytest.raises(TeamNotFound):
        await watch(WatchQuery(424242, leader.actor))
    assert s.uow.rollbacks == 5 and s.uow.commits == 0  # no connection held while streaming


async def test_watching_an_inbox_is_for_the_signed_in_member_only() -> None:
    s = Setup()
    me = await s.members.add(member())
    await s.notices.add_many([NewNotice(me.id, NoticeKind.APPLICATION_ACCEPTED, NOW, {})])
    watch = WatchInbox(s.notices, s.uow)
    assert await watch(me.actor) == {"type": "inbox", "unread": 1}
    with pytest.raises(AuthRequired):
        await watch(None)
