"""The request scope's session cleanup gives every connection back, even one whose rollback
fails (a database that went away mid-request)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import text

from wap.adapters.sql.engine import create_engine, create_sessionmaker
from wap.entrypoints.ioc import close_session


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
