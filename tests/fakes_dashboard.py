"""The in-memory twin of ``ClubStatistics``: the same counts as ``SqlClubStatistics``, taken
from the in-memory repositories of ``tests/fakes.py`` row by row."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from tests.fakes import (
    InMemoryApplicationRepository,
    InMemoryMemberRepository,
    InMemoryTeamRepository,
)
from wap.application.admin.dashboard import CLOSED
from wap.application.admin.ports import ClubStatistics, WeekCounts
from wap.domain.members import MemberStatus
from wap.domain.teams import TeamStatus, recruitment_closed
from wap.domain.terms import KST, Term


class InMemoryClubStatistics(ClubStatistics):
    def __init__(
        self,
        members: InMemoryMemberRepository,
        teams: InMemoryTeamRepository,
        applications: InMemoryApplicationRepository,
    ) -> None:
        self._members, self._teams, self._applications = members, teams, applications

    async def week(self, term: Term, now: datetime, since: datetime) -> WeekCounts:
        of_term = {t.id: t for t in self._teams._rows.values() if t.term == term}
        formed = {TeamStatus.RECRUITING, TeamStatus.COMPLETED}
        placed = {
            m.member_id
            for team_id, people in self._teams._members.items()
            if team_id in of_term and of_term[team_id].status in formed
            for m in people
        }
        members = Counter(
            (str(m.position or ""), m.id in placed)
            for m in self._members._rows.values()
            if m.status is MemberStatus.APPROVED
        )
        open_slots: Counter[str] = Counter()
        teams: Counter[str] = Counter()
        for team in of_term.values():
            closed = team.status is TeamStatus.RECRUITING and recruitment_closed(
                team.recruit_until, now
            )
            teams[CLOSED if closed else team.status.value] += 1
            if team.status is TeamStatus.RECRUITING and not closed:
                for category, slot in team.slots.items():
                    open_slots[category.value] += slot.capacity - slot.filled
        days: Counter[date] = Counter(
            a.created_at.astimezone(KST).date()
            for a in self._applications.rows.values()
            if a.team_id in of_term and a.created_at >= since
        )
        return WeekCounts(dict(members), dict(open_slots), dict(days), dict(teams))
