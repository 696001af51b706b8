"""Export rows straight from a streaming query: memory stays flat however many rows."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from wap.adapters.sql.tables import applications, members, team_members, team_slots, teams
from wap.application.admin.ports import ExportKind, ExportReader
from wap.domain.terms import KST, Term

HEADERS = {
    ExportKind.MEMBERS: (
        "id", "name", "student_number", "position", "email", "github_login", "status", "role",
        "joined_at",
    ),
    ExportKind.TEAMS: (
        "id", "term", "title", "genre", "status", "leader_name", "leader_student_number",
        "members", "capacity", "filled", "likes", "views", "recruit_until", "created_at",
    ),
    ExportKind.APPLICATIONS: (
        "id", "term", "team_id", "team_title", "applicant_name", "applicant_student_number",
        "category", "status", "message", "applied_at", "decided_at",
    ),
}  # fmt: skip

LEADER = members.alias("leader")
APPLICANT = members.alias("applicant")


def kst(moment: datetime | None) -> str:
    if moment is None:
        return ""
    try:
        return moment.astimezone(KST).strftime("%Y-%m-%d %H:%M")
    except OverflowError:  # at the edge of the calendar: keep the UTC reading
        return moment.strftime("%Y-%m-%d %H:%M UTC")


def _members(term: Term | None) -> Select[Any]:
    query = select(
        members.c.id,
        members.c.name,
        members.c.student_number,
        members.c.position,
        members.c.email,
        members.c.github_login,
        members.c.status,
        members.c.role,
        members.c.created_at,
    ).where(members.c.status != "registering")
    if term is not None:
        in_term = (
            select(team_members.c.member_id)
            .join(teams, teams.c.id == team_members.c.team_id)
            .where(teams.c.term == str(term))
        )
        query = query.where(members.c.id.in_(in_term))
    return query.order_by(members.c.id)


def _slot_sum(column: Any) -> Any:
    return (
        select(func.coalesce(func.sum(column), 0))
        .where(team_slots.c.team_id == teams.c.id)
        .scalar_subquery()
    )


def _teams(term: Term | None) -> Select[Any]:
    headcount = (
        select(func.count())
        .where(team_members.c.team_id == teams.c.id, team_members.c.role == "member")
        .scalar_subquery()
    )
    query = select(
        teams.c.id,
        teams.c.term,
        teams.c.title,
        teams.c.genre,
        teams.c.status,
        LEADER.c.name,
        LEADER.c.student_number,
        headcount,
        _slot_sum(team_slots.c.capacity),
        _slot_sum(team_slots.c.filled),
        teams.c.like_count,
        teams.c.view_count,
        teams.c.recruit_until,
        teams.c.created_at,
    ).join(LEADER, LEADER.c.id == teams.c.leader_id)
    if term is not None:
        query = query.where(teams.c.term == str(term))
    return query.order_by(teams.c.id)


def _applications(term: Term | None) -> Select[Any]:
    query = (
        select(
            applications.c.id,
            teams.c.term,
            teams.c.id,
            teams.c.title,
            APPLICANT.c.name,
            APPLICANT.c.student_number,
            applications.c.category,
            applications.c.status,
            applications.c.message,
            applications.c.created_at,
            applications.c.decided_at,
        )
        .join(teams, teams.c.id == applications.c.team_id)
        .join(APPLICANT, APPLICANT.c.id == applications.c.member_id)
    )
    if term is not None:
        query = query.where(teams.c.term == str(term))
    return query.order_by(applications.c.id)


QUERIES = {
    ExportKind.MEMBERS: _members,
    ExportKind.TEAMS: _teams,
    ExportKind.APPLICATIONS: _applications,
}


class SqlExportReader(ExportReader):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def rows(self, kind: ExportKind, term: Term | None) -> AsyncIterator[Sequence[object]]:
        yield HEADERS[kind]
        query = QUERIES[kind](term).execution_options(yield_per=500)
        result = await self._session.stream(query)
        async for row in result:
            yield [kst(v) if isinstance(v, datetime) else v for v in row]
