"""The request's ``AsyncSession``: made on first use, and always given back to the pool."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any, cast

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

log = logging.getLogger("wap.db")


async def close_session(session: AsyncSession) -> None:
    """Roll back and return the connection; if the rollback fails (the database went away
    mid-request, which has answered 503), drop the connection instead of pooling it again.

    It runs in the request's own task. A shield (a task per request) was measured to let
    connections come back a turn late, and under saturation the pool's waiters then starved
    for seconds (bench: uncached profiles' p99 3.1 s against 0.2 s). It is not needed: a
    close cancelled half way (the server stopping) has SQLAlchemy drop the connection, whose
    protocol state is then unknown (tests/integration/sql/test_session_close.py)."""
    try:
        await session.rollback()
    except DBAPIError as error:
        log.warning("dropping a database connection that failed to roll back: %s", error)
        with contextlib.suppress(Exception):
            await session.invalidate()
    await session.close()


class LazySession:
    """Stands in for the request's ``AsyncSession`` and makes it on first use. Making one
    costs about 20 µs, a tenth of a page read from the cache, which needs no database."""

    __slots__ = ("_make", "made")

    def __init__(self, make: async_sessionmaker[AsyncSession]) -> None:
        self._make = make
        self.made: AsyncSession | None = None

    def __getattr__(self, name: str) -> Any:
        if self.made is None:
            self.made = self._make()
        return getattr(self.made, name)


async def request_session(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """The request scope's session (a dishka factory): the unit of work its repositories
    share. Closing rolls back whatever was not committed (a use case commits explicitly);
    a request answered from the cache never makes one."""
    lazy = LazySession(sessionmaker)
    try:
        yield cast(AsyncSession, lazy)
    finally:
        if lazy.made is not None:
            await close_session(lazy.made)
