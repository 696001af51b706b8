from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from sqlalchemy import case, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from wap.adapters.sql.tables import teams, view_flushes
from wap.application.views.ports import ViewCounts


class SqlViewCounts(ViewCounts):
    """Each batch in its own transaction, its id recorded beside the counts it adds."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def apply(self, batch_id: str, counts: Mapping[int, int]) -> bool:
        async with self._sessions() as session:
            try:
                await session.execute(
                    insert(view_flushes).values(
                        batch_id=batch_id,
                        views=sum(counts.values()),
                        applied_at=datetime.now(UTC),
                    )
                )
            except IntegrityError:
                await session.rollback()
                return False  # another flush applied this batch already
            if counts:
                # One statement for the whole batch; teams deleted since simply match nothing.
                await session.execute(
                    update(teams)
                    .where(teams.c.id.in_(list(counts)))
                    .values(
                        view_count=teams.c.view_count
                        + case(dict(counts.items()), value=teams.c.id, else_=0)
                    )
                )
            await session.commit()
            return True
