"""The deployment of compose.yaml, run by hand: two `wap serve` processes, `wap worker` and
`wap scheduler` against MariaDB and Redis. Views sent to both servers are counted once."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from taskiq.kicker import AsyncKicker

from tests.builders import member, team
from tests.integration.conftest import REDIS_URL, migrated_engine
from tests.integration.http.conftest import SECRET, free_port
from wap.adapters.sql.engine import create_sessionmaker
from wap.adapters.sql.members import SqlMemberRepository
from wap.adapters.sql.tables import teams
from wap.adapters.sql.teams import SqlTeamRepository
from wap.adapters.sql.touched import Touched
from wap.entrypoints.config import Settings
from wap.entrypoints.worker.broker import FLUSH_VIEWS, make_broker

WAP = [sys.executable, "-m", "wap.entrypoints.cli"]


class Fleet:
    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, *args: str) -> None:
        log = (self.logs / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen(
            [*WAP, *args], env=self.env, stdout=log, stderr=subprocess.STDOUT
        )

    def output(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def stop_all(self) -> dict[str, int]:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        return {name: p.wait(timeout=30) for name, p in self.processes.items()}


@pytest.fixture
def fleet(tmp_path: Path, mysql_url: str) -> Iterator[Fleet]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAP_")} | {
        "WAP_DATABASE_URL": mysql_url,
        "WAP_REDIS_URL": REDIS_URL,
        "WAP_SECRET_KEY": SECRET,
        "WAP_TRUSTED_PROXIES": "127.0.0.1",  # the test plays the proxy, naming clients
        "WAP_MEDIA_DIR": str(tmp_path / "media"),
    }
    running = Fleet(env, tmp_path)
    yield running
    running.stop_all()


async def wait_ready(url: str, fleet: Fleet, name: str) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(300):
            try:
                if (await client.get(f"{url}/readyz", timeout=1)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert fleet.processes[name].poll() is None, fleet.output(name)
            await asyncio.sleep(0.1)
    raise AssertionError(f"{name} never became ready: {fleet.output(name)}")


async def test_views_from_two_servers_are_flushed_by_the_worker_exactly_once(
    fleet: Fleet,
    mysql_url: str,
    migrated_engines: dict[str, AsyncEngine],
    redis_client: Redis,
) -> None:
    engine = await migrated_engine("mysql", mysql_url, migrated_engines)
    async with create_sessionmaker(engine)() as session:
        leader = await SqlMemberRepository(session, Touched()).add(member())
        boards = [
            await SqlTeamRepository(session, Touched()).add(team(leader.id)) for _ in range(2)
        ]
        await session.commit()
    ids = [b.id for b in boards]

    fleet.start("worker", "worker")
    fleet.start("scheduler", "scheduler")
    ports = [free_port(), free_port()]
    for index, port in enumerate(ports):
        fleet.start(f"web{index}", "serve", "--port", str(port))
    urls = [f"http://127.0.0.1:{p}" for p in ports]
    for index, url in enumerate(urls):
        await wait_ready(url, fleet, f"web{index}")

    viewers = 100
    async with httpx.AsyncClient(timeout=30) as client:
        gate = asyncio.Semaphore(30)

        async def look(n: int, repeat: int, team_id: int) -> None:
            async with gate:
                url = urls[(n + repeat) % 2]  # each viewer visits both servers
                response = await client.get(
                    f"{url}/api/v1/teams/{team_id}",
                    headers={"X-Forwarded-For": f"198.51.{n // 250}.{n % 250}"},
                )
            assert response.status_code == 200, response.text

        await asyncio.gather(
            *(look(n, r, t) for n in range(viewers) for r in range(3) for t in ids)
        )

    # The job goes through Redis to the worker process, as the scheduler would send it.
    broker = make_broker(Settings.from_env(fleet.env))
    await broker.startup()
    try:
        deadline = time.monotonic() + 60
        while True:
            await AsyncKicker(FLUSH_VIEWS, broker, {}).kiq()
            await asyncio.sleep(1)
            async with engine.connect() as connection:
                rows = await connection.execute(
                    select(teams.c.id, teams.c.view_count).where(teams.c.id.in_(ids))
                )
                stored = {row.id: row.view_count for row in rows}
            if all(v == viewers for v in stored.values()) or time.monotonic() > deadline:
                break
    finally:
        await broker.shutdown()
    assert stored == {i: viewers for i in ids}, fleet.output("worker")
    assert await redis_client.hlen("wap:views:pending") == 0

    assert fleet.processes["scheduler"].poll() is None, fleet.output("scheduler")
    codes = fleet.stop_all()
    assert (codes["worker"], codes["scheduler"]) == (0, 0), codes
    for web in ("web0", "web1"):
        # uvicorn shuts down gracefully, then re-raises SIGTERM as its exit status.
        assert codes[web] in (0, -15) and "Application shutdown complete" in fleet.output(web)
