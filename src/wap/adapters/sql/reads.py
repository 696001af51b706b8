"""Reads outside any unit of work: the hot read paths (a team's page, a public profile) are
built once per process on this instead of on the request's session."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, cast

from sqlalchemy import Executable, Result
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from wap.adapters.sql.engine import READ_CONNECTIONS


class SqlReads:
    """Runs one statement on a connection of the read engine (``create_read_engine``: each
    statement its own transaction, no closing ``ROLLBACK``) and gives the connection back
    before returning the rows, all fetched.

    It stands in for an ``AsyncSession`` for the repositories' read methods, which only call
    ``execute``: ``as_session()`` says so to the type checker, and any other use of the
    session fails loudly (``AttributeError``) instead of writing outside a unit of work. There
    is no request scope to set up or tear down, so the use cases built on it are made once
    (entrypoints/ioc.py, ``HotReadProvider``)."""

    __slots__ = ("_engine", "_turns", "_wait_seconds")

    def __init__(
        self, engine: AsyncEngine, connections: int = READ_CONNECTIONS, wait_seconds: float = 10
    ) -> None:
        self._engine = engine
        # Statements take their turn here, first come first served, and never wait inside the
        # pool: its queue is not fair (a connection given back goes to whoever asks next, and
        # a woken waiter that lost it queues again at the back), so under saturation some
        # reads waited out the pool's 10 s and answered 503 while others went through
        # (bench: 5–9 of ~25,000 uncached profiles). asyncio's Semaphore queues its waiters
        # in order and hands a released turn to the first.
        self._turns = asyncio.Semaphore(connections)
        self._wait_seconds = wait_seconds

    async def execute(
        self, statement: Executable, params: Mapping[str, Any] | None = None
    ) -> Result[Any]:
        if self._turns.locked():
            try:
                async with asyncio.timeout(self._wait_seconds):
                    await self._turns.acquire()
            except TimeoutError:
                # What the pool would have raised: service.unavailable (503).
                raise PoolTimeoutError("no read connection came free in time") from None
        else:
            await self._turns.acquire()  # a turn is free: returns at once
        try:
            async with self._engine.connect() as connection:
                found = await connection.execute(statement, params)
                return found.freeze()()
        finally:
            self._turns.release()

    def as_session(self) -> AsyncSession:
        return cast(AsyncSession, self)

    async def dispose(self) -> None:
        await self._engine.dispose()
