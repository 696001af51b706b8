"""The officer console's week at a glance: the current term's members placed and unplaced by
position, open places by category, applications per KST day and teams by state."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import msgspec

from wap.application.admin.ports import ClubStatistics
from wap.application.ports import Clock
from wap.domain.catalog import Category, Position
from wap.domain.errors import InvalidValue
from wap.domain.members import Actor
from wap.domain.teams import TeamStatus
from wap.domain.terms import KST, Term

CLOSED = "closed"  # a recruiting team past its recruit_until (application/labels.py: 마감)
TEAM_STATES = (TeamStatus.PENDING.value, TeamStatus.RECRUITING.value, CLOSED,
               TeamStatus.COMPLETED.value)  # fmt: skip
MAX_DAYS = 31


class PositionCount(msgspec.Struct, frozen=True):
    position: str
    placed: int
    unplaced: int


class Count(msgspec.Struct, frozen=True):
    key: str  # a category or a team state
    count: int


class DayCount(msgspec.Struct, frozen=True):
    day: date  # a calendar day in Asia/Seoul
    count: int


class Dashboard(msgspec.Struct, frozen=True):
    term: str
    positions: list[PositionCount]  # every position of the catalog, then any other stored one
    open_slots: list[Count]  # categories with a free place, in the catalog's order
    applications: list[DayCount]  # each of the last ``days`` KST days, oldest first, zeros too
    teams: list[Count]  # every state: pending, recruiting, closed, completed

    @property
    def placed(self) -> int:
        return sum(p.placed for p in self.positions)

    @property
    def unplaced(self) -> int:
        return sum(p.unplaced for p in self.positions)


def kst_day_start(day: date) -> datetime:
    """The moment a KST calendar day begins."""
    return datetime.combine(day, time(), tzinfo=KST)


class GetDashboard:
    def __init__(self, statistics: ClubStatistics, clock: Clock) -> None:
        self._statistics = statistics
        self._clock = clock

    async def __call__(self, actor: Actor, days: int = 7) -> Dashboard:
        actor.ensure_officer()
        if not 1 <= days <= MAX_DAYS:
            raise InvalidValue(field="days")
        now = self._clock.now()
        term = Term.at(now)
        today = now.astimezone(KST).date()
        first = today - timedelta(days=days - 1)
        counts = await self._statistics.week(term, now, kst_day_start(first))
        positions = [p.value for p in Position]
        positions += sorted({p for p, _ in counts.members} - set(positions))
        return Dashboard(
            term=str(term),
            positions=[
                PositionCount(
                    p, counts.members.get((p, True), 0), counts.members.get((p, False), 0)
                )
                for p in positions
            ],
            open_slots=[
                Count(c.value, counts.open_slots[c.value])
                for c in Category
                if counts.open_slots.get(c.value, 0) > 0
            ],
            applications=[
                DayCount(day, counts.applications.get(day, 0))
                for day in (first + timedelta(days=n) for n in range(days))
            ],
            teams=[Count(state, counts.teams.get(state, 0)) for state in TEAM_STATES],
        )
