"""The officer console's counts, each one GROUP BY query, on SQLite and MariaDB alike."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, and_, case, func, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import GenericFunction

from wap.adapters.sql.tables import applications, members, team_members, team_slots, teams
from wap.application.admin.ports import ClubStatistics, WeekCounts
from wap.domain.members import MemberStatus
from wap.domain.teams import TeamStatus
from wap.domain.terms import Term

KST_OFFSET_HOURS = 9  # Asia/Seoul keeps no daylight saving time: a KST day is UTC + 9 hours
CLOSED = "closed"


class kst_day(GenericFunction[date]):
    """The calendar day in Asia/Seoul of a stored UTC moment."""

    type = Date()
    inherit_cache = True


@compiles(kst_day, "sqlite")
def _kst_day_sqlite(element: kst_day, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, '+{KST_OFFSET_HOURS} hours')"


@compiles(kst_day)
def _kst_day_mysql(element: kst_day, compiler: SQLCompiler, **kw: Any) -> str:
    moment = compiler.process(element.clauses, **kw)
    return f"DATE(DATE_ADD({moment}, INTERVAL {KST_OFFSET_HOURS} HOUR))"


def _day(value: object) -> date:
    """SQLite gives the day as text, MySQL as a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


class SqlClubStatistics(ClubStatistics):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def week(self, term: Term, now: datetime, since: datetime) -> WeekCounts:
        return WeekCounts(
            members=await self._members(term),
            open_slots=await self._open_slots(term, now),
            applications=await self._applications(term, since),
            teams=await self._teams(term, now),
        )

    async def _members(self, term: Term) -> dict[tuple[str, bool], int]:
        placed_ids = (
            select(team_members.c.member_id)
            .join(teams, teams.c.id == team_members.c.team_id)
            .where(
                teams.c.term == str(term),
                teams.c.status.in_([TeamStatus.RECRUITING.value, TeamStatus.COMPLETED.value]),
            )
            .distinct()
            .subquery()
        )
        placed = case((placed_ids.c.member_id.is_(None), 0), else_=1).label("placed")
        rows = await self._session.execute(
            select(members.c.position, placed, func.count().label("n"))
            .select_from(members.outerjoin(placed_ids, placed_ids.c.member_id == members.c.id))
            .where(members.c.status == MemberStatus.APPROVED.value)
            .group_by(members.c.position, placed)
        )
        return {(str(position or ""), bool(is_placed)): int(n) for position, is_placed, n in rows}

    async def _open_slots(self, term: Term, now: datetime) -> dict[str, int]:
        free = func.sum(team_slots.c.capacity - team_slots.c.filled).label("free")
        rows = await self._session.execute(
            select(team_slots.c.category, free)
            .join(teams, teams.c.id == team_slots.c.team_id)
            .where(
                teams.c.term == str(term),
                teams.c.status == TeamStatus.RECRUITING.value,
                or_(teams.c.recruit_until.is_(None), teams.c.recruit_until > now),
            )
            .group_by(team_slots.c.category)
        )
        return {str(category): int(n or 0) for category, n in rows}

    async def _applications(self, term: Term, since: datetime) -> dict[date, int]:
        day = kst_day(applications.c.created_at).label("day")
        rows = await self._session.execute(
            select(day, func.count().label("n"))
            .join(teams, teams.c.id == applications.c.team_id)
            .where(teams.c.term == str(term), applications.c.created_at >= since)
            .group_by(day)
        )
        return {_day(d): int(n) for d, n in rows}

    async def _teams(self, term: Term, now: datetime) -> dict[str, int]:
        closed = and_(
            teams.c.status == TeamStatus.RECRUITING.value,
            teams.c.recruit_until.is_not(None),
            teams.c.recruit_until <= now,
        )
        state = case((closed, literal_column(f"'{CLOSED}'")), else_=teams.c.status).label("state")
        rows = await self._session.execute(
            select(state, func.count().label("n")).where(teams.c.term == str(term)).group_by(state)
        )
        return {str(s): int(n) for s, n in rows}
