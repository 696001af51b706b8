from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, exists, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from wap.adapters.sql.results import affected, inserted_id
from wap.adapters.sql.tables import applications, team_members, team_slots, teams
from wap.adapters.sql.touched import Touched
from wap.application.teams.ports import TeamRepository
from wap.domain.catalog import Category, Genre
from wap.domain.errors import TitleTaken
from wap.domain.teams import (
    Description,
    NewTeam,
    Slot,
    Team,
    TeamMember,
    TeamRole,
    TeamStatus,
    Title,
)
from wap.domain.terms import Term
from wap.domain.values import Links, restored


def team_from_row(row: Mapping[Any, Any], slots: Iterable[Mapping[Any, Any]]) -> Team:
    return Team(
        id=row["id"],
        title=restored(Title, row["title"]),
        genre=Genre(row["genre"]),
        description=restored(Description, row["description"]),
        links=restored(Links, tuple(row["links"])),
        image_url=row["image_url"],
        image_thumbnail_url=row["image_thumbnail_url"],
        leader_id=row["leader_id"],
        status=TeamStatus(row["status"]),
        term=Term.parse(row["term"]),
        recruit_until=row["recruit_until"],
        like_count=row["like_count"],
        view_count=row["view_count"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        slots={
            Category(s["category"]): Slot(Category(s["category"]), s["capacity"], s["filled"])
            for s in slots
        },
    )


def _member_from_row(row: RowMapping) -> TeamMember:
    return TeamMember(
        team_id=row["team_id"],
        member_id=row["member_id"],
        role=TeamRole(row["role"]),
        category=Category(row["category"]) if row["category"] else None,
        joined_at=row["joined_at"],
    )


def team_values(team: NewTeam) -> dict[str, Any]:
    return {
        "title": team.title.value,
        "title_key": team.title.key,
        "genre": team.genre.value,
        "description": team.description.value,
        "links": list(team.links.items),
        "image_url": team.image_url,
        "image_thumbnail_url": team.image_thumbnail_url,
        "leader_id": team.leader_id,
        "status": team.status.value,
        "term": str(team.term),
        "recruit_until": team.recruit_until,
        "created_at": team.created_at,
        "updated_at": team.updated_at,
    }


class SqlTeamRepository(TeamRepository):
    def __init__(self, session: AsyncSession, touched: Touched) -> None:
        self._session = session
        self._touched = touched

    async def add(self, new: NewTeam) -> Team:
        # The only unique key a new team can clash on is its title: the id is generated and
        # the leader exists (the use case read them). So an IntegrityError here is TitleTaken,
        # decided without reading the driver's message, which differs by database.
        try:
            async with self._session.begin_nested():
                result = await self._session.execute(insert(teams).values(team_values(new)))
        except IntegrityError:
            raise TitleTaken(field="title") from None
        team = new.stored(inserted_id(result))
        await self._insert_slots(team)
        await self._session.execute(
            insert(team_members).values(
                team_id=team.id,
                member_id=team.leader_id,
                role=TeamRole.LEADER.value,
                category=None,
                joined_at=team.created_at,
            )
        )
        return team

    async def _insert_slots(self, team: Team) -> None:
        if team.slots:
            await self._session.execute(
                insert(team_slots),
                [
                    {
                        "team_id": team.id,
                        "category": s.category.value,
                        "capacity": s.capacity,
                        "filled": s.filled,
                    }
                    for s in team.slots.values()
                ],
            )

    async def _load(self, team_id: int, lock: bool) -> Team | None:
        query = select(teams).where(teams.c.id == team_id)
        if lock:
            query = query.with_for_update()
        row = (await self._session.execute(query)).mappings().first()
        if row is None:
            return None
        slot_query = (
            select(team_slots)
            .where(team_slots.c.team_id == team_id)
            .order_by(team_slots.c.category)
        )
        if lock:
            slot_query = slot_query.with_for_update()
        slots = list((await self._session.execute(slot_query)).mappings().all())
        return team_from_row(row, slots)

    async def get(self, team_id: int) -> Team | None:
        return await self._load(team_id, lock=False)

    async def get_for_update(self, team_id: int) -> Team | None:
        return await self._load(team_id, lock=True)

    async def save(self, team: Team) -> None:
        self._touched.teams.add(team.id)
        self._touched.slots.add(team.id)
        values = team_values(team)
        del values["created_at"]
        try:
            async with self._session.begin_nested():
                await self._session.execute(
                    update(teams).where(teams.c.id == team.id).values(values)
                )
        except IntegrityError:
            raise TitleTaken(field="title") from None
        current = {
            row.category: row.capacity
            for row in await self._session.execute(
                select(team_slots.c.category, team_slots.c.capacity).where(
                    team_slots.c.team_id == team.id
                )
            )
        }
        wanted = {s.category.value: s.capacity for s in team.slots.values()}
        gone = [c for c in current if c not in wanted]
        if gone:
            # Only empty slots may go: the guard keeps a concurrent accept from being lost.
            await self._session.execute(
                delete(team_slots).where(
                    team_slots.c.team_id == team.id,
                    team_slots.c.category.in_(gone),
                    team_slots.c.filled == 0,
                )
            )
        for category, capacity in wanted.items():
            if category not in current:
                await self._session.execute(
                    insert(team_slots).values(
                        team_id=team.id, category=category, capacity=capacity, filled=0
                    )
                )
            elif current[category] != capacity:
                await self._session.execute(
                    update(team_slots)
                    .where(team_slots.c.team_id == team.id, team_slots.c.category == category)
                    .values(capacity=capacity)
                )

    async def delete(self, team_id: int) -> None:
        self._touched.teams.add(team_id)
        self._touched.slots.add(team_id)
        await self._session.execute(delete(teams).where(teams.c.id == team_id))

    async def past_deadline_with_pending(self, now: datetime) -> list[int]:
        query = (
            select(teams.c.id)
            .where(
                teams.c.status == TeamStatus.RECRUITING.value,
                teams.c.recruit_until.is_not(None),
                teams.c.recruit_until <= now,
                exists().where(
                    applications.c.team_id == teams.c.id, applications.c.pending_key == 1
                ),
            )
            .order_by(teams.c.id)
        )
        return list((await self._session.execute(query)).scalars())

    async def title_owner(self, title_key: str) -> int | None:
        query = select(teams.c.id).where(teams.c.title_key == title_key)
        return (await self._session.execute(query)).scalar_one_or_none()

    async def members(self, team_id: int) -> list[TeamMember]:
        query = (
            select(team_members)
            .where(team_members.c.team_id == team_id)
            .order_by(
                (team_members.c.role == TeamRole.LEADER.value).desc(),
                team_members.c.joined_at,
                team_members.c.member_id,
            )
        )
        return [_member_from_row(row) for row in (await self._session.execute(query)).mappings()]

    async def memberships_of(self, member_id: int) -> list[TeamMember]:
        query = (
            select(team_members)
            .where(team_members.c.member_id == member_id)
            .order_by(team_members.c.team_id)
        )
        return [_member_from_row(row) for row in (await self._session.execute(query)).mappings()]

    async def pending_applications_to(self, member_id: int) -> list[int]:
        query = (
            select(applications.c.team_id)
            .where(applications.c.member_id == member_id, applications.c.pending_key == 1)
            .distinct()
        )
        return list((await self._session.execute(query)).scalars())

    async def save_members(self, members: list[TeamMember]) -> None:
        for member in members:
            self._touched.teams.add(member.team_id)
            await self._session.execute(
                update(team_members)
                .where(
                    team_members.c.team_id == member.team_id,
                    team_members.c.member_id == member.member_id,
                )
                .values(
                    role=member.role.value,
                    category=member.category.value if member.category else None,
                )
            )

    async def take_place(
        self, team_id: int, member_id: int, category: Category, joined_at: datetime
    ) -> bool:
        self._touched.teams.add(team_id)
        self._touched.slots.add(team_id)
        # The whole guarantee: a slot's filled count rises only while it is below capacity,
        # decided by the database row by row, whatever runs beside us.
        taken = await self._session.execute(
            update(team_slots)
            .where(
                team_slots.c.team_id == team_id,
                team_slots.c.category == category.value,
                team_slots.c.filled < team_slots.c.capacity,
            )
            .values(filled=team_slots.c.filled + 1)
        )
        if affected(taken) != 1:
            return False
        await self._session.execute(
            insert(team_members).values(
                team_id=team_id,
                member_id=member_id,
                role=TeamRole.MEMBER.value,
                category=category.value,
                joined_at=joined_at,
            )
        )
        return True

    async def free_place(self, team_id: int, member_id: int) -> bool:
        self._touched.teams.add(team_id)
        self._touched.slots.add(team_id)
        row = (
            await self._session.execute(
                select(team_members.c.category).where(
                    team_members.c.team_id == team_id,
                    team_members.c.member_id == member_id,
                    team_members.c.role == TeamRole.MEMBER.value,
                )
            )
        ).first()
        if row is None:
            return False
        removed = await self._session.execute(
            delete(team_members).where(
                team_members.c.team_id == team_id,
                team_members.c.member_id == member_id,
                team_members.c.role == TeamRole.MEMBER.value,
            )
        )
        if affected(removed) != 1:
            return False
        await self._session.execute(
            update(team_slots)
            .where(
                and_(
                    team_slots.c.team_id == team_id,
                    team_slots.c.category == row.category,
                    team_slots.c.filled > 0,
                )
            )
            .values(filled=team_slots.c.filled - 1)
        )
        return True
