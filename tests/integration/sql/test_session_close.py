"""The request scope's session cleanup gives every connection back, even one whose rollback
fails (a database that went away mid-request) or is cancelled half way (the server stopping)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from wap.adapters.sql.engine import create_engine, create_sessionmaker
from wap.adapters.sql.session import close_session


async def test_a_connection_whose_rollback_fails_is_dropped_not_kept(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/close.db")
    try:
        session = create_sessionmaker(engine)()
        await session.execute(text("SELECT 1"))
        raw = await (await session.connection()).get_raw_connection()
        dbapi: Any = raw.dbapi_connection

        async def broken_rollback() -> None:
            raise sqlite3.OperationalError("disk I/O error")

        dbapi._connection.rollback = broken_rollback  # the driver under SQLAlchemy's adapter
        assert engine.pool.checkedout() == 1  # type: ignore[attr-defined]
        await close_session(session)
        assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]

        # A healthy session closes the ordinary way, and the pool still serves.
        healthy = create_sessionmaker(engine)()
        assert (await healthy.execute(text("SELECT 2"))).scalar() == 2
        await close_session(healthy)
        assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    finally:
        await engine.dispose()


async def test_a_close_cancelled_half_way_gives_the_connection_up_sqlite(tmp_path: Path) -> None:
    await cancel_a_close(f"sqlite+aiosqlite:///{tmp_path}/cancel.db")


async def test_a_close_cancelled_half_way_gives_the_connection_up_mariadb(mysql_url: str) -> None:
    await cancel_a_close(mysql_url)


async def cancel_a_close(url: str) -> None:
    engine = create_engine(url)
    try:
        session = create_sessionmaker(engine)()
        await session.execute(text("SELECT 1"))
        raw = await (await session.connection()).get_raw_connection()
        dbapi: Any = raw.dbapi_connection
        rolling_back = asyncio.Event()

        async def stuck_rollback() -> None:
            rolling_back.set()
            await asyncio.sleep(30)

        dbapi._connection.rollback = stuck_rollback
        closing = asyncio.create_task(close_session(session))
        await asyncio.wait_for(rolling_back.wait(), 5)
        closing.cancel()  # the server stopping while a request's scope closes
        with pytest.raises(asyncio.CancelledError):
            await closing
        for _ in range(100):  # the connection is dropped in the background, at once
            if engine.pool.checkedout() == 0:  # type: ignore[attr-defined]
                break
            await asyncio.sleep(0.01)
        assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
        fresh = create_sessionmaker(engine)()
        assert (await fresh.execute(text("SELECT 3"))).scalar() == 3
        await close_session(fresh)
    finally:
        await engine.dispose()
