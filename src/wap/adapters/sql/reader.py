"""The read side in SQL: each list is a fixed number of queries, whatever its length."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, and_, bindparam, exists, func, or_, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from wap.adapters.sql.results import contains
from wap.adapters.sql.tables import applications, likes, members, team_members, team_slots, teams
from wap.adapters.sql.teams import team_from_row
from wap.application.cursors import encode_cursor
from wap.application.members.read_models import MemberSummary
from wap.application.teams.ports import (
    AdminTeamField,
    AdminTeamQuery,
    TeamDetailReader,
    TeamFilter,
    TeamReader,
)
from wap.application.teams.read_models import (
    AdminTeamPage,
    AdminTeamView,
    ApplicationView,
    MyApplicationView,
    SlotView,
    TeamBrief,
    TeamDetail,
    TeamMemberView,
    TeamPage,
    TeamSummary,
)
from wap.domain.applications import ApplicationStatus
from wap.domain.teams import TeamStatus

LEADER = members.alias("leader")
_SUMMARY_COLUMNS = (
    teams.c.id,
    teams.c.title,
    teams.c.genre,
    teams.c.status,
    teams.c.term,
    teams.c.image_thumbnail_url,
    teams.c.like_count,
    teams.c.view_count,
    teams.c.recruit_until,
    teams.c.created_at,
    LEADER.c.id.label("leader_id"),
    LEADER.c.github_login.label("leader_login"),
    LEADER.c.name.label("leader_name"),
    LEADER.c.avatar_url.label("leader_avatar"),
)


def _summary_query() -> Select[Any]:
    return select(*_SUMMARY_COLUMNS).join(LEADER, LEADER.c.id == teams.c.leader_id)


def _person(row: RowMapping, prefix: str) -> MemberSummary:
    return MemberSummary(
        row[f"{prefix}_id"], row[f"{prefix}_login"], row[f"{prefix}_name"], row[f"{prefix}_avatar"]
    )


def _member_columns(alias: Any, prefix: str) -> tuple[Any, ...]:
    return (
        alias.c.id.label(f"{prefix}_id"),
        alias.c.github_login.label(f"{prefix}_login"),
        alias.c.name.label(f"{prefix}_name"),
        alias.c.avatar_url.label(f"{prefix}_avatar"),
    )


# A team's page in one statement built once (no per-request compiling or cache keys): the
# team with its leader, and a row for each of its slots (LEFT JOIN: a team without slots
# still has its one row). One round trip instead of two; the team's columns repeat on each
# of its 1–4 slot rows, which costs less than the second statement did.
# (The leader's columns are "lead_*": the team row has a "leader_id" of its own.)
_DETAIL = (
    select(
        teams,
        *_member_columns(LEADER, "lead"),
        team_slots.c.category.label("slot_category"),
        team_slots.c.capacity.label("slot_capacity"),
        team_slots.c.filled.label("slot_filled"),
    )
    .join(LEADER, LEADER.c.id == teams.c.leader_id)
    .outerjoin(team_slots, team_slots.c.team_id == teams.c.id)
    .where(teams.c.id == bindparam("team_id"))
    .order_by(team_slots.c.category)
)


class SqlTeamDetailReader(TeamDetailReader):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def detail(self, team_id: int) -> TeamDetail | None:
        rows = (await self._session.execute(_DETAIL, {"team_id": team_id})).mappings().all()
        if not rows:
            return None
        slots = [
            {
                "category": r["slot_category"],
                "capacity": r["slot_capacity"],
                "filled": r["slot_filled"],
            }
            for r in rows
            if r["slot_category"] is not None
        ]
        return TeamDetail.of(team_from_row(rows[0], slots), _person(rows[0], "lead"))


class SqlTeamReader(TeamReader):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _summaries(
        self, rows: Sequence[RowMapping], viewer_id: int | None
    ) -> list[TeamSummary]:
        """Two more queries for any number of rows: their slots, and which the viewer liked."""
        ids = [row["id"] for row in rows]
        if not ids:
            return []
        slots: dict[int, list[SlotView]] = defaultdict(list)
        slot_rows = await self._session.execute(
            select(team_slots)
            .where(team_slots.c.team_id.in_(ids))
            .order_by(team_slots.c.team_id, team_slots.c.category)
        )
        for slot in slot_rows.mappings():
            slots[slot["team_id"]].append(
                SlotView(slot["category"], slot["capacity"], slot["filled"])
            )
        liked: set[int] = set()
        if viewer_id is not None:
            liked = set(
                (
                    await self._session.execute(
                        select(likes.c.team_id).where(
                            likes.c.member_id == viewer_id, likes.c.team_id.in_(ids)
                        )
                    )
                ).scalars()
            )
        return [
            TeamSummary(
                id=row["id"],
                title=row["title"],
                genre=row["genre"],
                status=row["status"],
                term=row["term"],
                image_thumbnail_url=row["image_thumbnail_url"],
                leader=_person(row, "leader"),
                slots=slots[row["id"]],
                like_count=row["like_count"],
                view_count=row["view_count"],
                recruit_until=row["recruit_until"],
                created_at=row["created_at"],
                liked=row["id"] in liked,
            )
            for row in rows
        ]

    async def _rows(self, query: Select[Any]) -> list[RowMapping]:
        return list((await self._session.execute(query)).mappings().all())

    async def page(self, query: TeamFilter, viewer_id: int | None) -> TeamPage:
        conditions: list[Any] = [teams.c.status == query.status.value]
        if query.term is not None:
            conditions.append(teams.c.term == str(query.term))
        if query.genre is not None:
            conditions.append(teams.c.genre == query.genre.value)
        if query.category is not None:
            conditions.append(
                exists().where(
                    team_slots.c.team_id == teams.c.id,
                    team_slots.c.category == query.category.value,
                )
            )
        if query.text:
            pattern = contains(query.text)
            conditions.append(
                or_(
                    teams.c.title.like(pattern, escape="\\"),
                    teams.c.description.like(pattern, escape="\\"),
                )
            )
        if query.after_id is not None:
            conditions.append(teams.c.id < query.after_id)
        rows = await self._rows(
            _summary_query().where(*conditions).order_by(teams.c.id.desc()).limit(query.limit + 1)
        )
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        items = await self._summaries(rows, viewer_id)
        return TeamPage(items, encode_cursor(rows[-1]["id"]) if more and rows else None)

    async def teams_of_member(
        self, member_id: int, status: TeamStatus | None, viewer_id: int | None
    ) -> list[TeamSummary]:
        query = _summary_query().join(
            team_members,
            and_(team_members.c.team_id == teams.c.id, team_members.c.member_id == member_id),
        )
        if status is not None:
            query = query.where(teams.c.status == status.value)
        return await self._summaries(await self._rows(query.order_by(teams.c.id.desc())), viewer_id)

    async def liked_by(self, member_id: int) -> list[TeamSummary]:
        query = (
            _summary_query()
            .join(likes, and_(likes.c.team_id == teams.c.id, likes.c.member_id == member_id))
            .where(teams.c.status != TeamStatus.PENDING.value)
            .order_by(likes.c.created_at.desc(), teams.c.id.desc())
        )
        return await self._summaries(await self._rows(query), member_id)

    async def members(self, team_id: int) -> list[TeamMemberView]:
        rows = await self._rows(
            select(
                team_members.c.role,
                team_members.c.category,
                team_members.c.joined_at,
                *_member_columns(members, "m"),
            )
            .join(members, members.c.id == team_members.c.member_id)
            .where(team_members.c.team_id == team_id)
            .order_by(
                (team_members.c.role == "leader").desc(),
                team_members.c.joined_at,
                team_members.c.member_id,
            )
        )
        return [
            TeamMemberView(_person(r, "m"), r["role"], r["category"], r["joined_at"]) for r in rows
        ]

    async def applications_to(
        self, team_id: int, status: ApplicationStatus | None
    ) -> list[ApplicationView]:
        query = (
            select(applications, *_member_columns(members, "m"))
            .join(members, members.c.id == applications.c.member_id)
            .where(applications.c.team_id == team_id)
            .order_by(applications.c.id)
        )
        if status is not None:
            query = query.where(applications.c.status == status.value)
        return [
            ApplicationView(
                id=r["id"],
                team_id=r["team_id"],
                applicant=_person(r, "m"),
                category=r["category"],
                message=r["message"],
                status=r["status"],
                created_at=r["created_at"],
                decided_at=r["decided_at"],
            )
            for r in await self._rows(query)
        ]

    async def applications_of(
        self, member_id: int, status: ApplicationStatus | None
    ) -> list[MyApplicationView]:
        query = (
            select(
                applications,
                teams.c.title.label("team_title"),
                teams.c.status.label("team_status"),
                teams.c.genre.label("team_genre"),
            )
            .join(teams, teams.c.id == applications.c.team_id)
            .where(applications.c.member_id == member_id)
            .order_by(applications.c.id.desc())
        )
        if status is not None:
            query = query.where(applications.c.status == status.value)
        return [
            MyApplicationView(
                id=r["id"],
                team=TeamBrief(r["team_id"], r["team_title"], r["team_status"], r["team_genre"]),
                category=r["category"],
                message=r["message"],
                status=r["status"],
                created_at=r["created_at"],
                decided_at=r["decided_at"],
            )
            for r in await self._rows(query)
        ]

    async def admin_page(self, query: AdminTeamQuery) -> AdminTeamPage:
        conditions: list[Any] = [teams.c.status == query.status.value]
        if query.term is not None:
            conditions.append(teams.c.term == str(query.term))
        if query.text:
            pattern = contains(query.text)
            column = {
                AdminTeamField.TITLE: teams.c.title,
                AdminTeamField.GENRE: teams.c.genre,
                AdminTeamField.LEADER: LEADER.c.name,
            }[query.field]
            conditions.append(column.like(pattern, escape="\\"))
        base = select(teams.c.id).join(LEADER, LEADER.c.id == teams.c.leader_id).where(*conditions)
        total = (
            await self._session.execute(select(func.count()).select_from(base.subquery()))
        ).scalar_one()
        rows = await self._rows(
            _summary_query()
            .where(*conditions)
            .order_by(teams.c.id)
            .limit(query.page_size)
            .offset((query.page - 1) * query.page_size)
        )
        return AdminTeamPage(
            [
                AdminTeamView(
                    id=r["id"],
                    title=r["title"],
                    genre=r["genre"],
                    status=r["status"],
                    term=r["term"],
                    leader=_person(r, "leader"),
                    created_at=r["created_at"],
                )
                for r in rows
            ],
            int(total),
            query.page,
            query.page_size,
        )
