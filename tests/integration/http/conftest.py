"""The real app over real HTTP: uvicorn on a free loopback port, httpx as the client."""

from __future__ import annotations

import asyncio
import itertools
import re
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from dishka import Provider
from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.builders import NOW
from tests.integration.conftest import migrated_engine
from tests.integration.http.fakes import FakeGitHub, GitHubUser, MailSink
from wap.adapters.sql.engine import create_sessionmaker
from wap.adapters.sql.members import SqlMemberRepository
from wap.adapters.sql.touched import Touched
from wap.domain.catalog import Position
from wap.domain.members import GitHubIdentity, MemberStatus, Name, NewMember, StudentNumber
from wap.entrypoints.config import Settings
from wap.entrypoints.http.app import create_app

SECRET = "test-secret-" + "x" * 40


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def serving(app: Litestar) -> AsyncIterator[str]:
    """Serve ``app`` on 127.0.0.1 until the block ends; yields the base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="on",
            proxy_headers=False,  # as `wap serve`: only WAP_TRUSTED_PROXIES are believed
            # The clients share this event loop: with a hundred of them at once, one can take
            # longer than uvicorn's 5 s to send its next request on a kept-alive connection,
            # which the server then closes under it (a disconnect that says nothing of the app).
            timeout_keep_alive=120,
        )
    )
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started or task.done():
            break
        await asyncio.sleep(0.01)
    if not server.started:
        raise RuntimeError("the test server did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@dataclass
class Api:
    client: httpx.AsyncClient
    engine: AsyncEngine
    settings: Settings


@pytest.fixture
async def api(
    backend: str,
    database_url: str,
    migrated_engines: dict[str, AsyncEngine],
    tmp_path: Path,
) -> AsyncIterator[Api]:
    engine = await migrated_engine(backend, database_url, migrated_engines)
    settings = Settings.from_env(
        {
            "WAP_DATABASE_URL": database_url,
            "WAP_SECRET_KEY": SECRET,
            "WAP_MEDIA_DIR": str(tmp_path / "media"),
        }
    )
    async with (
        serving(create_app(settings)) as base_url,
        httpx.AsyncClient(base_url=base_url, timeout=10) as client,
    ):
        yield Api(client, engine, settings)


BOSS = GitHubUser(1001, "boss", "Boss", avatar_url="https://avatars.test/boss")
_github_ids = itertools.count(50_000)


@dataclass(frozen=True)
class Account:
    id: int
    token: str
    email: str  # theirs, or for a registering member the address they would sign up with
    refresh: str
    github: GitHubUser

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class World:
    client: httpx.AsyncClient
    github: FakeGitHub
    mail: MailSink
    engine: AsyncEngine
    settings: Settings

    async def sign_in(self, user: GitHubUser) -> dict[str, Any]:
        code = self.github.issue_code(user)
        response = await self.client.post("/api/v1/auth/github/token", json={"code": code})
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def mailed_code(self, address: str, count: int = 1) -> str:
        for _ in range(200):
            received = self.mail.to(address)
            if len(received) >= count:
                match = re.search(r"([A-Z0-9]{6})$", str(received[-1]["Subject"]))
                assert match, received[-1]["Subject"]
                return match[1]
            await asyncio.sleep(0.025)
        raise AssertionError(f"no mail reached {address}")

    async def register(
        self, token: str, *, name: str, student_number: str, email: str
    ) -> httpx.Response:
        auth = bearer(token)
        asked = await self.client.post(
            "/api/v1/auth/email-codes", json={"email": email}, headers=auth
        )
        assert asked.status_code == 202, asked.text
        code = await self.mailed_code(email)
        return await self.client.post(
            "/api/v1/members/me/registration",
            json={
                "name": name,
                "student_number": student_number,
                "position": "백엔드",
                "email": email,
                "email_code": code,
            },
            headers=auth,
        )

    async def account(
        self,
        name: str = "Member",
        *,
        officer: bool = False,
        status: MemberStatus | None = MemberStatus.APPROVED,
    ) -> Account:
        """A member stored directly in ``status`` (approved by default; None: signed in but
        not signed up), then signed in through the fake GitHub."""
        github_id = next(_github_ids)
        user = GitHubUser(github_id, f"user{github_id}")
        email = f"{user.login}@pukyong.ac.kr"
        person = NewMember.signed_in(GitHubIdentity(github_id, user.login), NOW)
        if status is not None:
            person.register(
                name=Name(name),
                student_number=StudentNumber(f"{github_id:09d}"),
                position=Position.BACKEND,
                email=email,
                as_officer=officer,
            )
            person.status = status
        async with create_sessionmaker(self.engine)() as session:
            stored = await SqlMemberRepository(session, Touched()).add(person)
            await session.commit()
        signed = await self.sign_in(user)
        return Account(stored.id, signed["access_token"], email, signed["refresh_token"], user)

    async def approved_member(self, user: GitHubUser, name: str, number: str) -> dict[str, Any]:
        """Signs ``user`` in, registers, and has the officer approve; returns fresh tokens."""
        signed = await self.sign_in(user)
        done = await self.register(
            signed["access_token"],
            name=name,
            student_number=number,
            email=f"{user.login}@pukyong.ac.kr",
        )
        assert done.status_code == 201, done.text
        if done.json()["status"] == "pending":
            boss = await self.sign_in(BOSS)
            approved = await self.client.post(
                "/api/v1/admin/members/approve",
                json={"ids": [done.json()["id"]]},
                headers=bearer(boss["access_token"]),
            )
            assert approved.json()["done"] == [done.json()["id"]], approved.text
        return signed


@asynccontextmanager
async def running_world(
    database_url: str,
    engine: AsyncEngine,
    media: Path,
    extra_env: dict[str, str] | None = None,
    providers: tuple[Provider, ...] = (),
) -> AsyncIterator[World]:
    """The app on a loopback port, with a fake GitHub and an SMTP sink beside it."""
    github = FakeGitHub()
    mail = MailSink(free_port())
    mail.start()
    try:
        async with serving(github.app()) as github_url:
            settings = Settings.from_env(
                {
                    "WAP_DATABASE_URL": database_url,
                    "WAP_SECRET_KEY": SECRET,
                    "WAP_GITHUB_CLIENT_ID": github.client_id,
                    "WAP_GITHUB_CLIENT_SECRET": github.client_secret,
                    "WAP_GITHUB_AUTHORIZE_URL": f"{github_url}/login/oauth/authorize",
                    "WAP_GITHUB_TOKEN_URL": f"{github_url}/login/oauth/access_token",
                    "WAP_GITHUB_API_URL": github_url,
                    "WAP_OFFICER_GITHUB_LOGINS": f"boss:{BOSS.id}",
                    "WAP_ALLOWED_EMAIL_DOMAINS": "pukyong.ac.kr",
                    "WAP_SMTP_HOST": "127.0.0.1",
                    "WAP_SMTP_PORT": str(mail.port),
                    "WAP_MAIL_FROM": "WAP <noreply@wap.test>",
                    "WAP_COOKIE_SECURE": "false",
                    "WAP_FRONTEND_URL": "/welcome",
                    "WAP_MEDIA_DIR": str(media),
                    # The tests sign in hundreds of members from one address in a minute.
                    "WAP_AUTH_RATE_LIMIT": "100000/minute",
                }
                | (extra_env or {})
            )
            async with (
                serving(create_app(settings, *providers)) as base_url,
                httpx.AsyncClient(base_url=base_url, timeout=30) as client,
            ):
                yield World(client, github, mail, engine, settings)
    finally:
        mail.stop()


@pytest.fixture
async def world(
    backend: str,
    database_url: str,
    migrated_engines: dict[str, AsyncEngine],
    tmp_path: Path,
) -> AsyncIterator[World]:
    engine = await migrated_engine(backend, database_url, migrated_engines)
    async with running_world(database_url, engine, tmp_path / "media") as world:
        yield world


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
