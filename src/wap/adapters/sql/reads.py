"""Reads outside any unit of work: the hot read paths (a team's page, a public profile) are
built once per process on this instead of on the request's session."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from sqlalchemy import Executable, Result
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession


class SqlReads:
    """Runs one statement on a connection of the read engine (``create_read_engine``: each
    statement its own transaction, no closing ``ROLLBACK``) and gives the connection back
    before returning the rows, all fetched.

    It stands in for an ``AsyncSession`` for the repositories' read methods, which only call
    ``execute``: ``as_session()`` says so to the type checker, and any other use of the
    session fails loudly (``AttributeError``) instead of writing outside a unit of work. There
    is no request scope to set up or tear down, so the use cases built on it are made once
    (entrypoints/ioc.py, ``HotReadProvider``)."""

    __slots__ = ("_engine",)

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def execute(
        self, statement: Executable, params: Mapping[str, Any] | None = None
    ) -> Result[Any]:
        async with self._engine.connect() as connection:
            found = await connection.execute(statement, params)
            return found.freeze()()

    def as_session(self) -> AsyncSession:
        return cast(AsyncSession, self)

    async def dispose(self) -> None:
        await self._engine.dispose()
