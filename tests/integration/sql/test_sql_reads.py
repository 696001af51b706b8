"""The hot reads' connections (``SqlReads`` on ``create_read_engine``): each statement is its
own transaction, nothing is left open on a pooled connection, no ``ROLLBACK`` is sent, a
committed write is seen by the next read, and a read never waits for a writer's lock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, literal, select, text
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import AsyncEngine

from wap.adapters.sql.engine import create_read_engine, create_sessionmaker
from wap.adapters.sql.reads import SqlReads
from wap.adapters.sql.tables import members

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def member_row(member_id: int) -> dict[str, object]:
    return {
        "id": member_id,
        "github_id": 1000 + member_id,
        "github_login": f"login{member_id}",
        "name": f"이름{member_id}",
        "bio": "",
        "tech_stack": [],
        "links": [],
        "status": "approved",
        "role": "member",
        "notify_email": False,
        "language": "ko",
        "created_at": NOW,
    }


async def test_reads_see_commits_and_leave_no_transaction_open(
    engine: AsyncEngine, database_url: str, backend: str
) -> None:
    reads = SqlReads(create_read_engine(database_url))
    try:
        by_id = select(members.c.name).where(members.c.id == 1)
        assert (await reads.execute(by_id)).first() is None
        async with engine.begin() as connection:
            await connection.execute(insert(members).values(member_row(1)))
        # The rows are all fetched: the result is read after the connection went back.
        assert (await reads.execute(by_id)).scalar_one() == "이름1"
        session = reads.as_session()  # what the repositories are given
        found = await session.execute(by_id)
        assert found.mappings().all() == [{"name": "이름1"}]
        if backend == "mysql":
            # The same pooled connection (pool of one in use): autocommit, no transaction
            # open, and not one ROLLBACK sent over its life.
            read_engine = reads._engine  # the test inspects the pool's connection
            async with read_engine.connect() as connection:
                autocommit = (await connection.execute(text("SELECT @@autocommit"))).scalar()
                open_transactions = (
                    await connection.execute(
                        text(
                            "SELECT COUNT(*) FROM information_schema.INNODB_TRX"
                            " WHERE trx_mysql_thread_id = CONNECTION_ID()"
                        )
                    )
                ).scalar()
                rollbacks = (
                    await connection.execute(text("SHOW SESSION STATUS LIKE 'Com_rollback'"))
                ).one()
            assert autocommit == 1
            assert open_transactions == 0
            assert rollbacks[1] == "0"
            assert read_engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    finally:
        await reads.dispose()


async def test_a_read_does_not_wait_for_a_writer_holding_its_lock(
    engine: AsyncEngine, database_url: str
) -> None:
    """A web page's request may hold the writers' lock (SQLite's ``BEGIN IMMEDIATE``, or
    MariaDB row locks) in its own session while it reads a team's page through SqlReads."""
    async with engine.begin() as connection:
        await connection.execute(insert(members).values(member_row(2)))
    reads = SqlReads(create_read_engine(database_url))
    writer = create_sessionmaker(engine)()
    try:
        await writer.execute(
            members.update().where(members.c.id == 2).values(name="바뀐 이름")
        )  # uncommitted, lock held
        found = await asyncio.wait_for(
            reads.execute(select(members.c.name).where(members.c.id == 2)), timeout=5
        )
        assert found.scalar_one() == "이름2"  # the committed row, not the pending change
        await writer.commit()
        found = await reads.execute(select(members.c.name).where(members.c.id == 2))
        assert found.scalar_one() == "바뀐 이름"
    finally:
        await writer.close()
        await reads.dispose()


async def test_anything_but_execute_is_refused(engine: AsyncEngine, database_url: str) -> None:
    reads = SqlReads(create_read_engine(database_url))
    try:
        session = reads.as_session()
        for method in ("add", "commit", "flush", "begin"):
            try:
                getattr(session, method)
            except AttributeError:
                continue
            raise AssertionError(f"SqlReads offers {method}")
    finally:
        await reads.dispose()


async def test_reads_take_turns_in_order_and_a_long_wait_is_unavailable(
    engine: AsyncEngine, database_url: str
) -> None:
    """The pool's own queue is not fair; SqlReads' turns are (first come, first served), and
    a read that cannot get one in time fails as the pool would (503), not forever."""
    reads = SqlReads(create_read_engine(database_url), connections=1, wait_seconds=0.3)
    try:
        finished: list[int] = []

        async def read(n: int) -> None:
            assert (await reads.execute(select(literal(n)))).scalar_one() == n
            finished.append(n)

        await asyncio.gather(*(read(n) for n in range(20)))
        assert finished == list(range(20))

        await reads._turns.acquire()  # as if a statement held the only connection
        with pytest.raises(PoolTimeoutError):
            await reads.execute(select(literal(1)))
        reads._turns.release()
        assert (await reads.execute(select(literal(7)))).scalar_one() == 7
    finally:
        await reads.dispose()
