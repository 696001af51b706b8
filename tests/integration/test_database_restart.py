"""MariaDB crashing and coming back while the service is under load.

A MariaDB server of this test's own (a fresh data directory, a free port) is killed with
SIGKILL in the middle of a steady load of reads and writes, and started again. Every answer
must be a success or a 503 ``service.unavailable`` problem, none may hang, the same service
process must recover by itself, and nothing may be half-written (each like is counted
exactly once). Then it is restarted again while the service is quiet: at most one request
meets a broken pooled connection."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.conftest import service_unreachable
from tests.integration.http.conftest import free_port, running_world
from tests.integration.http.test_team_building import open_team
from wap.adapters.sql.engine import create_engine
from wap.adapters.sql.migrate import upgrade_engine
from wap.adapters.sql.tables import likes, teams

MARIADBD = shutil.which("mariadbd") or "/usr/sbin/mariadbd"
INSTALL_DB = shutil.which("mariadb-install-db") or "/usr/bin/mariadb-install-db"
PROBLEM = "application/problem+json"
HANG = 8.0  # seconds: an answer slower than this is a hang


@dataclass
class PrivateMariaDB:
    datadir: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def server_url(self) -> str:
        return f"mysql+aiomysql://root@127.0.0.1:{self.port}"

    def start(self) -> None:
        log = open(self.datadir.parent / "mariadbd.log", "ab")  # noqa: SIM115 - the child owns it
        self.process = subprocess.Popen(
            [
                MARIADBD,
                "--no-defaults",
                f"--datadir={self.datadir}",
                f"--port={self.port}",
                "--bind-address=127.0.0.1",
                f"--socket={self.datadir.parent / 'mariadbd.sock'}",
                f"--pid-file={self.datadir.parent / 'mariadbd.pid'}",
                "--user=root",
                "--innodb-buffer-pool-size=32M",
                "--skip-log-bin",
            ],
            stdout=log,
            stderr=log,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            probe = subprocess.run(
                ["mariadb", "-h127.0.0.1", f"-P{self.port}", "-uroot", "-e", "SELECT 1"],
                capture_output=True,
            )
            if probe.returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError("the private MariaDB did not start")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def private_mariadb(tmp_path: Path) -> Iterator[PrivateMariaDB]:
    if not (os.access(MARIADBD, os.X_OK) and os.access(INSTALL_DB, os.X_OK)):
        service_unreachable("mariadbd (to run a MariaDB of this test's own)", FileNotFoundError())
    datadir = tmp_path / "mariadb"
    subprocess.run(
        [
            INSTALL_DB,
            "--no-defaults",
            f"--datadir={datadir}",
            "--user=root",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
        ],
        check=True,
        capture_output=True,
    )
    server = PrivateMariaDB(datadir, free_port())
    server.start()
    try:
        yield server
    finally:
        if server.process is not None:
            server.kill()


@contextlib.asynccontextmanager
async def database_on(server: PrivateMariaDB) -> AsyncIterator[str]:
    admin = create_async_engine(server.server_url + "/", isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text("CREATE DATABASE wap CHARACTER SET utf8mb4"))
    await admin.dispose()
    url = server.server_url + "/wap"
    engine = create_engine(url)
    await upgrade_engine(engine)
    await engine.dispose()
    yield url


@dataclass(frozen=True)
class Answer:
    status: int
    code: str | None
    seconds: float
    at: float


async def test_the_service_rides_out_a_mariadb_restart_under_load(
    private_mariadb: PrivateMariaDB, tmp_path: Path
) -> None:
    async with (
        database_on(private_mariadb) as url,
        running_world(url, create_engine(url), tmp_path / "media") as world,
    ):
        officer = await world.account("Officer", officer=True)
        leader = await world.account("Leader")
        likers = [await world.account("Liker" + "abcdefgh"[i]) for i in range(8)]
        team = await open_team(world, leader, officer)
        like = f"/api/v1/teams/{team['id']}/like"
        answers: list[Answer] = []
        stop = asyncio.Event()
        start = time.monotonic()

        async def record(request: httpx.Request) -> None:
            began = time.monotonic()
            try:
                response = await world.client.send(request)
            except httpx.TimeoutException:
                answers.append(Answer(0, "hang", time.monotonic() - began, began - start))
                return
            code = (
                response.json().get("code")
                if PROBLEM in response.headers.get("content-type", "")
                else None
            )
            answers.append(
                Answer(response.status_code, code, time.monotonic() - began, began - start)
            )

        async def reader() -> None:
            while not stop.is_set():
                await record(world.client.build_request("GET", "/api/v1/teams"))
                await record(
                    world.client.build_request("GET", "/api/v1/members/me", headers=leader.auth)
                )

        async def writer(member_index: int) -> None:
            who = likers[member_index]
            liked = False
            while not stop.is_set():
                method = "DELETE" if liked else "PUT"
                await record(world.client.build_request(method, like, headers=who.auth))
                if answers[-1].status == 200:
                    liked = not liked

        load = [asyncio.create_task(reader()) for _ in range(4)]
        load += [asyncio.create_task(writer(i)) for i in range(len(likers))]
        await asyncio.sleep(1.5)
        killed_at = time.monotonic() - start
        await asyncio.to_thread(private_mariadb.kill)
        await asyncio.sleep(2.0)
        restarted_at = time.monotonic() - start
        await asyncio.to_thread(private_mariadb.start)
        # Load goes on until the service has answered 100 requests in a row successfully.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            recent = answers[-100:]
            if len(recent) == 100 and all(a.at > restarted_at and a.status < 300 for a in recent):
                break
            await asyncio.sleep(0.1)
        stop.set()
        await asyncio.gather(*load)

        outcomes = Counter((a.status, a.code) for a in answers)
        # Only successes and 503 service.unavailable: no 500, no other refusal, no hang.
        assert set(outcomes) <= {(200, None), (503, "service.unavailable")}, outcomes
        assert max(a.seconds for a in answers) < HANG, max(a.seconds for a in answers)
        down = [a for a in answers if killed_at <= a.at < restarted_at]
        assert any(a.status == 503 for a in down), "the outage was never noticed"
        assert all(a.status < 300 for a in answers[-100:]), "the service did not recover"

        # Nothing half-written: the counter equals the rows, through the crash. (The test's
        # own pool still holds connections from before the crash: start it afresh.)
        await world.engine.dispose()
        async with world.engine.connect() as connection:
            rows = await connection.scalar(
                select(func.count()).select_from(likes).where(likes.c.team_id == team["id"])
            )
            counted = await connection.scalar(
                select(teams.c.like_count).where(teams.c.id == team["id"])
            )
        assert rows == counted
        detail = await world.client.get(f"/api/v1/teams/{team['id']}")
        assert detail.status_code == 200 and detail.json()["like_count"] == rows

        # Restarted while the service is quiet: its pool is full of broken connections.
        # The first request that meets one answers 503 and the pool drops them all.
        await asyncio.to_thread(private_mariadb.kill)
        await asyncio.to_thread(private_mariadb.start)
        quiet = [
            (await world.client.get("/api/v1/members/me", headers=leader.auth)).status_code
            for _ in range(20)
        ]
        assert quiet.count(503) <= 1 and set(quiet) <= {200, 503}, quiet
        assert quiet[-19:] == [200] * 19, quiet
        await world.engine.dispose()
