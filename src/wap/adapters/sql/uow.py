from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from wap.application.ports import UnitOfWork
from wap.application.system.readiness import DependencyProbe


class SqlUnitOfWork(UnitOfWork):
    """The request's ``AsyncSession`` is the unit of work; closing it uncommitted rolls back."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def commit(self) -> None:
        await self._session.commit()

    async def rollback(self) -> None:
        await self._session.rollback()


class SqlProbe(DependencyProbe):
    name = "database"

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def ping(self) -> bool:
        try:
            async with self._engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:
            return False
        return True
