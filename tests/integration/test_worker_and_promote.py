"""``wap worker`` delivering mail from the Redis broker, and ``wap member promote``."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import httpx
from redis.asyncio import Redis

from tests.builders import member
from tests.integration.conftest import REDIS_URL
from tests.integration.http.conftest import SECRET, free_port, serving
from tests.integration.http.fakes import FakeGitHub, GitHubUser, MailSink
from wap.adapters.sql.engine import create_engine, create_sessionmaker
from wap.adapters.sql.members import SqlMemberRepository
from wap.adapters.sql.migrate import upgrade
from wap.adapters.sql.touched import Touched
from wap.domain.members import MemberStatus
from wap.entrypoints.config import Settings
from wap.entrypoints.http.app import create_app

WAP = [sys.executable, "-m", "wap.entrypoints.cli"]


def env_of(**values: str) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("WAP_")} | values


async def test_mail_goes_through_redis_to_a_separate_worker_process(
    tmp_path: Path, redis_client: Redis
) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path}/wap.db"
    await upgrade(database)
    github = FakeGitHub()
    sink = MailSink(free_port())
    sink.start()
    worker = None
    try:
        async with serving(github.app()) as github_url:
            values = {
                "WAP_DATABASE_URL": database,
                "WAP_REDIS_URL": REDIS_URL,
                "WAP_SECRET_KEY": SECRET,
                "WAP_GITHUB_CLIENT_ID": github.client_id,
                "WAP_GITHUB_CLIENT_SECRET": github.client_secret,
                "WAP_GITHUB_TOKEN_URL": f"{github_url}/login/oauth/access_token",
                "WAP_GITHUB_API_URL": github_url,
                "WAP_SMTP_HOST": "127.0.0.1",
                "WAP_SMTP_PORT": str(sink.port),
            }
            worker = subprocess.Popen(  # noqa: ASYNC220 - a long-lived process beside the test
                [*WAP, "worker"],
                env=env_of(**values),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            app = create_app(Settings.from_env(values))
            async with serving(app) as base, httpx.AsyncClient(base_url=base) as client:
                code = github.issue_code(GitHubUser(77, "dora"))
                signed = (
                    await client.post("/api/v1/auth/github/token", json={"code": code})
                ).json()
                # The session lives in Redis now, not in the web process.
                assert len(await redis_client.keys("wap:session:*")) == 1
                asked = await client.post(
                    "/api/v1/auth/email-codes",
                    json={"email": "dora@pukyong.ac.kr"},
                    headers={"Authorization": f"Bearer {signed['access_token']}"},
                )
                assert asked.status_code == 202
                for _ in range(400):
                    if sink.to("dora@pukyong.ac.kr"):
                        break
                    assert worker.poll() is None, worker.communicate()[0]
                    await asyncio.sleep(0.05)
                else:
                    raise AssertionError("the worker delivered no mail")
                assert await redis_client.exists("wap:email-code:1") == 1
    finally:
        if worker is not None:
            worker.terminate()
            output = worker.communicate(timeout=30)[0]
            assert worker.returncode == 0, output
        sink.stop()


def test_the_worker_refuses_to_run_without_redis() -> None:
    done = subprocess.run(
        [*WAP, "worker"], env=env_of(), capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2 and "WAP_REDIS_URL" in done.stderr


async def test_promote_makes_a_signed_up_member_an_approved_officer(tmp_path: Path) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path}/wap.db"
    await upgrade(database)
    engine = create_engine(database)
    async with create_sessionmaker(engine)() as session:
        repo = SqlMemberRepository(session, Touched())
        waiting = await repo.add(member(status=MemberStatus.PENDING, login="Founder"))
        await repo.add(member(status=MemberStatus.REGISTERING, login="halfway"))
        await session.commit()
    env = env_of(WAP_DATABASE_URL=database, WAP_SECRET_KEY=SECRET)

    def promote(login: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*WAP, "member", "promote", login],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    # A login alone is not enough: the operator is shown the id to confirm, nothing changes.
    bare = promote("founder")
    assert bare.returncode == 2, bare.stderr
    assert f"wap member promote Founder:{waiting.github_id}" in bare.stderr
    # A login that now names another GitHub account (a rename) is refused.
    assert promote(f"founder:{waiting.github_id + 1}").returncode == 1
    async with create_sessionmaker(engine)() as session:
        before = await SqlMemberRepository(session, Touched()).get(waiting.id)
    assert before is not None and not before.is_officer
    done = promote(f"founder:{waiting.github_id}")
    assert done.returncode == 0, done.stderr
    assert "approved officer" in done.stdout
    assert promote("halfway").returncode == 1
    missing = promote("nobody")
    assert missing.returncode == 1 and "nobody" in missing.stderr
    assert promote("founder:abc").returncode == 2
    async with create_sessionmaker(engine)() as session:
        stored = await SqlMemberRepository(session, Touched()).get(waiting.id)
    await engine.dispose()
    assert stored is not None and stored.is_officer and stored.is_approved
