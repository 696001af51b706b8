"""The officer console's week at a glance, on the in-memory twin of the statistics port."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.builders import NOW
from tests.fakes_dashboard import InMemoryClubStatistics
from tests.unit.application.club import Club
from wap.application.admin.dashboard import Dashboard, GetDashboard, PositionCount
from wap.application.admin.members import OPERATOR, ListAudit
from wap.application.teams.applying import AcceptApplication, Apply, ApplyCommand, Decision
from wap.domain.audit import AuditAction, AuditTarget, NewAuditEntry
from wap.domain.catalog import Category, Position
from wap.domain.errors import InvalidValue, OfficerOnly
from wap.domain.members import Member, MemberStatus, Role
from wap.domain.teams import TeamStatus
from wap.domain.terms import KST, Term

# NOW is Tuesday 24 November 2026, 21:00 in Seoul (term 2026-2).
TODAY = date(2026, 11, 24)
KST_MIDNIGHT = datetime(2026, 11, 24, tzinfo=KST)


def dashboard_of(club: Club) -> GetDashboard:
    return GetDashboard(
        InMemoryClubStatistics(club.members, club.teams, club.applications), club.clock
    )


async def apply_at(club: Club, moment: datetime, who: Member, team_id: int, category: str) -> int:
    club.clock.moment = moment
    done = await club.use(Apply)(ApplyCommand(who.actor, team_id, category))
    club.clock.moment = NOW
    return done.id


async def test_the_week_counts_members_places_applications_and_teams() -> None:
    club = Club()
    officer = await club.person(role=Role.OFFICER, name="김운영")
    leader, joiner, applicant = [await club.person(name=n) for n in ("이팀장", "박합류", "최지원")]
    for person, position in ((joiner, Position.AI), (applicant, Position.DESIGNER)):
        club.members._rows[person.id].position = position
    await club.person(status=MemberStatus.PENDING, name="정대기")  # not approved: not counted
    other_leaders = [await club.person(name=n) for n in ("한팀장", "오팀장", "유팀장", "문팀장")]

    board = await club.recruiting(leader, slots={Category.WEB: 2, Category.DEEP_LEARNING: 1})
    await club.recruiting(other_leaders[0], status=TeamStatus.PENDING)
    closed = await club.recruiting(other_leaders[1], slots={Category.UNITY: 3})
    await club.recruiting(other_leaders[2], status=TeamStatus.COMPLETED)
    old = await club.recruiting(other_leaders[3], slots={Category.IOS: 4})
    club.teams._rows[old.id].term = Term(2026, 1)  # last term: not this week's

    yesterday = KST_MIDNIGHT - timedelta(minutes=1)  # 14:59 UTC: still 23 November in Seoul
    accepted = await apply_at(club, NOW - timedelta(days=1), joiner, board.id, "웹")
    await club.use(AcceptApplication)(Decision(leader.actor, board.id, accepted))
    await apply_at(club, KST_MIDNIGHT, applicant, board.id, "딥러닝")
    await apply_at(club, yesterday, applicant, closed.id, "유니티")
    await apply_at(club, NOW - timedelta(days=9), officer, closed.id, "유니티")  # before the week
    await apply_at(club, NOW, officer, old.id, "IOS")  # last term's team
    club.teams._rows[closed.id].recruit_until = NOW - timedelta(hours=1)

    week = await dashboard_of(club)(officer.actor)

    assert week.term == "2026-2"
    # Placed: in this term's recruiting (closed too) or completed teams; 나 팀 is pending.
    assert week.positions == [
        PositionCount("백엔드", 3, 3),  # leader, 2 other leaders | officer, pending/old leaders
        PositionCount("프론트엔드", 0, 0),
        PositionCount("AI", 1, 0),
        PositionCount("디자이너", 0, 1),
    ]
    assert (week.placed, week.unplaced) == (4, 4)
    assert [(c.key, c.count) for c in week.open_slots] == [("웹", 1), ("딥러닝", 1)]
    assert [d.day for d in week.applications] == [
        TODAY - timedelta(days=n) for n in range(6, -1, -1)
    ]
    assert {d.day: d.count for d in week.applications if d.count} == {
        TODAY: 1,
        TODAY - timedelta(days=1): 2,  # the accepted one (yesterday 21:00) and the 23:59 one
    }
    assert [(t.key, t.count) for t in week.teams] == [
        ("pending", 1), ("recruiting", 1), ("closed", 1), ("completed", 1)
    ]  # fmt: skip


async def test_an_empty_club_shows_every_row_at_zero() -> None:
    club = Club()
    officer = await club.person(role=Role.OFFICER)
    week = await dashboard_of(club)(officer.actor, days=3)
    assert week == Dashboard(
        term="2026-2",
        positions=[PositionCount(p.value, 0, 1 if p is Position.BACKEND else 0) for p in Position],
        open_slots=[],
        applications=week.applications,
        teams=week.teams,
    )
    assert [(d.day, d.count) for d in week.applications] == [
        (TODAY - timedelta(days=2), 0), (TODAY - timedelta(days=1), 0), (TODAY, 0)
    ]  # fmt: skip
    assert all(t.count == 0 for t in week.teams) and len(week.teams) == 4


async def test_only_officers_see_the_week_and_the_window_is_bounded() -> None:
    club = Club()
    member, officer = await club.person(), await club.person(role=Role.OFFICER)
    with pytest.raises(OfficerOnly):
        await dashboard_of(club)(member.actor)
    for days in (0, 32):
        with pytest.raises(InvalidValue):
            await dashboard_of(club)(officer.actor, days=days)


async def test_the_audit_log_names_its_officers() -> None:
    club = Club()
    officer = await club.person(role=Role.OFFICER, name="김운영")
    target = await club.person(name="박회원")
    for actor_id in (officer.id, OPERATOR, 9_999):  # an officer, the command line, one gone
        await club.audit.add(
            NewAuditEntry(actor_id, AuditAction.MEMBER_APPROVED, AuditTarget.MEMBER, target.id,
                          NOW.astimezone(UTC), {"name": "박회원"})
        )  # fmt: skip
    page = await club.use(ListAudit)(officer.actor, 1, 10)
    assert [(e.actor_id, e.actor_name) for e in page.items] == [
        (9_999, None), (OPERATOR, None), (officer.id, "김운영")
    ]  # fmt: skip
    with pytest.raises(InvalidValue):
        await club.use(ListAudit)(officer.actor, 1, 0)
