"""The floor: what Litestar on uvicorn does with nothing behind it, and with one round trip.

    .venv/bin/python bench/floor.py --port 8001 --body-bytes 1169 \
        [--redis-url redis://127.0.0.1:6379/14] [--database-url mysql+aiomysql://…/wap_bench]

``GET /floor`` answers a constant JSON body of ``--body-bytes`` bytes (give it the size of a
real team detail response). uvicorn runs it exactly as ``wap serve`` runs the service
(``wap.entrypoints.cli.cmd_serve``): one process, the same loop and HTTP implementations
(``auto``: uvloop and httptools when installed), no proxy headers, no server header, no
access log. The service's requests per second as a share of this one's says how much of the
framework's capacity the service's own work leaves.

Two more routes answer the same body after one round trip made the way the service makes it,
and nothing else: they are the ceilings for pages that need that round trip.

- ``GET /floor/redis`` (with ``--redis-url``): one ``GET`` of a key holding the body, through
  the service's own Redis client (``wap.adapters.redis.client.redis_client``). SPEC §1 has
  every cached read go through Redis, and every team detail read record its view there.
- ``GET /floor/sql`` (with ``--database-url``): one team row by primary key through the
  service's own engine (``wap.adapters.sql.engine.create_engine``): a pooled connection, one
  prebuilt Core statement, the connection given back. Every uncached read needs at least that.
"""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import uvicorn
from litestar import Litestar, MediaType, Response, get
from litestar.handlers import HTTPRouteHandler
from sqlalchemy import bindparam, func, select

from wap.adapters.redis.client import redis_client
from wap.adapters.sql.engine import create_engine
from wap.adapters.sql.tables import teams

PATH = "/floor"
REDIS_PATH = "/floor/redis"
SQL_PATH = "/floor/sql"
REDIS_KEY = "wap:bench:floor"
_EMPTY = b'{"floor":""}'


def constant_body(size: int) -> bytes:
    """A JSON object of exactly ``size`` bytes."""
    if size < len(_EMPTY):
        raise ValueError(f"a JSON body of {size} bytes is too small (at least {len(_EMPTY)})")
    return b'{"floor":"' + b"x" * (size - len(_EMPTY)) + b'"}'


def create_floor_app(
    body_bytes: int, redis_url: str | None = None, database_url: str | None = None
) -> Litestar:
    body = constant_body(body_bytes)
    handlers: list[HTTPRouteHandler] = []
    held: dict[str, Any] = {}

    @get(PATH)
    async def floor() -> Response[bytes]:
        return Response(content=body, media_type=MediaType.JSON)

    handlers.append(floor)

    if redis_url is not None:

        @get(REDIS_PATH)
        async def floor_redis() -> Response[bytes]:
            found: bytes = await held["redis"].get(REDIS_KEY)
            return Response(content=found, media_type=MediaType.JSON)

        handlers.append(floor_redis)

    statement = select(teams).where(teams.c.id == bindparam("team_id"))
    if database_url is not None:

        @get(SQL_PATH)
        async def floor_sql() -> Response[bytes]:
            async with held["engine"].connect() as connection:
                (await connection.execute(statement, {"team_id": held["team_id"]})).one()
            return Response(content=body, media_type=MediaType.JSON)

        handlers.append(floor_sql)

    @asynccontextmanager
    async def lifespan(_app: Litestar) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            if redis_url is not None:
                redis = await stack.enter_async_context(redis_client(redis_url))
                await redis.set(REDIS_KEY, body)
                stack.push_async_callback(redis.delete, REDIS_KEY)
                held["redis"] = redis
            if database_url is not None:
                engine = create_engine(database_url)
                stack.push_async_callback(engine.dispose)
                async with engine.connect() as connection:
                    team_id = (await connection.execute(select(func.min(teams.c.id)))).scalar()
                if team_id is None:
                    raise RuntimeError(f"{SQL_PATH} needs a seeded database: it has no teams")
                held["engine"], held["team_id"] = engine, team_id
            yield

    return Litestar(route_handlers=handlers, lifespan=[lifespan], openapi_config=None, debug=False)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Litestar + uvicorn answering one constant GET")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--body-bytes", type=int, required=True)
    parser.add_argument("--redis-url", help=f"serve {REDIS_PATH} from this Redis")
    parser.add_argument("--database-url", help=f"serve {SQL_PATH} from this seeded database")
    args = parser.parse_args(argv)
    uvicorn.run(
        create_floor_app(args.body_bytes, args.redis_url, args.database_url),
        host=args.host,
        port=args.port,
        # As `wap serve`: one process; loop and http left to uvicorn's choice ("auto").
        workers=1,
        loop="auto",
        http="auto",
        proxy_headers=False,
        server_header=False,
        access_log=False,
        log_level="info",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
