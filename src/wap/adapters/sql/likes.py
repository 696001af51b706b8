from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from wap.adapters.sql.results import affected
from wap.adapters.sql.tables import likes, teams
from wap.adapters.sql.touched import Touched
from wap.application.teams.ports import LikeRepository


class SqlLikeRepository(LikeRepository):
    """Every change to ``likes`` moves ``teams.like_count`` in the same transaction, by the
    number of rows the statement really changed, so the count equals the rows."""

    def __init__(self, session: AsyncSession, touched: Touched) -> None:
        self._session = session
        self._touched = touched

    async def _lock_team(self, team_id: int) -> None:
        self._touched.teams.add(team_id)
        # Take the team row first. Inserting a like takes a shared lock on it (the foreign
        # key), and moving the count an exclusive one: two likers holding the shared lock
        # and both asking for the exclusive one would deadlock.
        await self._session.execute(
            select(teams.c.id).where(teams.c.id == team_id).with_for_update()
        )

    async def like(self, team_id: int, member_id: int, now: datetime) -> bool:
        await self._lock_team(team_id)
        try:
            async with self._session.begin_nested():
                await self._session.execute(
                    insert(likes).values(team_id=team_id, member_id=member_id, created_at=now)
                )
        except IntegrityError:
            return False  # already liked: the primary key says so
        await self._session.execute(
            update(teams).where(teams.c.id == team_id).values(like_count=teams.c.like_count + 1)
        )
        return True

    async def unlike(self, team_id: int, member_id: int) -> bool:
        await self._lock_team(team_id)
        removed = await self._session.execute(
            delete(likes).where(likes.c.team_id == team_id, likes.c.member_id == member_id)
        )
        if affected(removed) != 1:
            return False
        await self._session.execute(
            update(teams).where(teams.c.id == team_id).values(like_count=teams.c.like_count - 1)
        )
        return True

    async def has_liked(self, team_id: int, member_id: int) -> bool:
        found = await self._session.execute(
            select(likes.c.team_id).where(
                likes.c.team_id == team_id, likes.c.member_id == member_id
            )
        )
        return found.first() is not None

    async def count(self, team_id: int) -> int:
        found = await self._session.execute(select(teams.c.like_count).where(teams.c.id == team_id))
        return int(found.scalar_one_or_none() or 0)

    async def remove_all_by(self, member_id: int) -> None:
        liked = (
            (
                await self._session.execute(
                    select(likes.c.team_id).where(likes.c.member_id == member_id).with_for_update()
                )
            )
            .scalars()
            .all()
        )
        for team_id in liked:
            await self.unlike(team_id, member_id)
