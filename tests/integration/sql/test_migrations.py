from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from wap.adapters.sql.engine import create_engine
from wap.adapters.sql.migrate import downgrade_engine, upgrade, upgrade_engine
from wap.adapters.sql.tables import metadata

TABLES = {
    "members",
    "teams",
    "team_slots",
    "team_members",
    "applications",
    "likes",
    "notifications",
    "audit_log",
    "rounds",
    "round_teams",
    "round_entries",
    "round_choices",
    "round_rankings",
    "round_outcomes",
}


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def test_migrations_create_every_table_and_match_the_code(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        assert await connection.run_sync(_tables) >= TABLES
        assert await connection.run_sync(_diff) == []


async def test_a_second_upgrade_is_a_no_op(engine: AsyncEngine, database_url: str) -> None:
    async with engine.connect() as connection:
        before = (await connection.execute(text("SELECT version_num FROM alembic_version"))).all()
    await upgrade(database_url)
    await upgrade(database_url)
    async with engine.connect() as connection:
        after = (await connection.execute(text("SELECT version_num FROM alembic_version"))).all()
        assert await connection.run_sync(_diff) == []
    assert before == after == [("0004",)]


async def test_downgrade_and_upgrade_again(tmp_path: object, mysql_url: str) -> None:
    # On a throwaway SQLite file and on a fresh MariaDB schema of its own.
    for url in (f"sqlite+aiosqlite:///{tmp_path}/down.db", mysql_url + "_down"):
        if url.startswith("mysql"):
            admin = create_engine(mysql_url.rsplit("/", 1)[0] + "/")
            name = url.rsplit("/", 1)[1]
            async with admin.begin() as connection:
                await connection.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
        fresh = create_engine(url)
        try:
            await upgrade_engine(fresh)
            await downgrade_engine(fresh)
            async with fresh.connect() as connection:
                assert not TABLES & await connection.run_sync(_tables)
            await upgrade_engine(fresh)
            async with fresh.connect() as connection:
                assert await connection.run_sync(_tables) >= TABLES
        finally:
            await fresh.dispose()
            if url.startswith("mysql"):
                async with admin.begin() as connection:
                    await connection.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
                await admin.dispose()
