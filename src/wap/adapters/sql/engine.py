"""Engines for the two supported databases, set up the way each needs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio import AsyncSession as AsyncSession

# Each engine's pool: connections kept, and more opened under a burst.
POOL_SIZE, MAX_OVERFLOW = 10, 20


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_async_engine(parsed, echo=echo, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            # WAL lets readers run beside the one writer; foreign keys are off by default.
            if parsed.database not in (None, "", ":memory:"):
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
            # Let SQLAlchemy's "begin" event below start transactions, not the driver.
            dbapi_connection.isolation_level = None

        @event.listens_for(engine.sync_engine, "begin")
        def _sqlite_begin(connection: Any) -> None:
            # Take the write lock at the start of a transaction, as MySQL's row locks would,
            # so read-then-write use cases serialise instead of failing with "locked".
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine

    return _mysql_engine(
        parsed,
        echo=echo,
        # Correctness rests on row locks (FOR UPDATE) and guarded UPDATEs, not on snapshots.
        # READ COMMITTED drops InnoDB's gap locks, the usual source of deadlocks between
        # short transactions on neighbouring index entries, and lets a statement see rows
        # committed since the transaction began (a racing insert's winner, for instance).
        isolation_level="READ COMMITTED",
    )


def _mysql_engine(parsed: URL, *, echo: bool, **options: Any) -> AsyncEngine:
    """A MySQL/MariaDB engine: utf8mb4, and the pool both engines share in shape."""
    if "charset" not in parsed.query:
        parsed = parsed.update_query_dict({"charset": "utf8mb4"})
    return create_async_engine(
        parsed,
        echo=echo,
        # No ping before each use: it is a round trip, about 70 µs of CPU per request. A
        # connection that a restart broke fails one request (503), and that disconnect error
        # makes the pool drop every older connection; idle connections are renewed after
        # 30 min (pool_recycle), well inside MariaDB's wait_timeout (8 h by default).
        # tests/integration/test_database_restart.py shows both, under load and when quiet.
        pool_pre_ping=False,
        pool_recycle=1800,
        pool_size=POOL_SIZE,
        max_overflow=MAX_OVERFLOW,
        pool_timeout=10,
        # A database that cannot be reached fails the request (503) in seconds, not minutes.
        connect_args={"connect_timeout": 5},
        **options,
    )


# The read engine's pool is as large as the writes', and its own, so that the hot reads never
# wait behind the writes' connections: SqlReads lets at most READ_CONNECTIONS statements wait.
READ_POOL_SIZE, READ_MAX_OVERFLOW = POOL_SIZE, MAX_OVERFLOW
READ_CONNECTIONS = READ_POOL_SIZE + READ_MAX_OVERFLOW


def create_read_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """The engine of the hot read paths (``SqlReads``): connections in autocommit mode.

    A read through the request's session leaves a transaction open (MySQL opens one with the
    first statement), so giving the connection back costs a ``ROLLBACK`` round trip, about
    120 µs of CPU with aiomysql. Here each statement is its own transaction, and SQLAlchemy
    is told to skip the rollback of a connection the driver reports in autocommit mode
    (``skip_autocommit_rollback``): nothing is open to roll back. Only reads run here; a
    write's reads stay in its unit of work.

    SQLite: no ``BEGIN IMMEDIATE`` (the writers' lock; a page read beside a request that
    holds it would wait for it) and no transaction at all: WAL lets it read beside the
    writer."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_async_engine(
            parsed,
            echo=echo,
            connect_args={"timeout": 30},
            isolation_level="AUTOCOMMIT",
            pool_size=READ_POOL_SIZE,
            max_overflow=READ_MAX_OVERFLOW,
        )

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine

    return _mysql_engine(
        parsed, echo=echo, isolation_level="AUTOCOMMIT", skip_autocommit_rollback=True
    )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
