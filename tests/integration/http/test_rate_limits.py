"""What is limited, by which key: a lecture hall on one address, one noisy client, sessions.

The hall runs with the budgets compose.yaml deploys (MariaDB and Redis, as in production):
100 students behind one campus NAT address each sign in through the browser flow, refresh
and log out within a minute, while one client far beyond the budget is refused."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import yaml
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.conftest import REDIS_URL, migrated_engine
from tests.integration.http.conftest import World, bearer, running_world
from tests.integration.http.fakes import GitHubUser
from tests.integration.http.test_foundation import assert_problem
from wap.domain.auth import EmailCodePolicy

ROOT = Path(__file__).resolve().parents[3]
HALL = 100


def deployed_env() -> dict[str, str]:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return {k: str(v) for k, v in compose["services"]["app"]["environment"].items()}


def budget_of(env: dict[str, str], name: str, default: str) -> int:
    count, _, unit = env.get(name, default).partition("/")
    assert unit.strip() == "minute", f"{name} is counted per minute in this test"
    return int(count)


def retry_after(response: httpx.Response) -> int:
    assert_problem(response, 429, "rate.limited")
    return int(response.headers["retry-after"])


async def browser_sign_in(world: World, browser: httpx.AsyncClient, user: GitHubUser) -> None:
    """Start (302 to GitHub), GitHub's consent (the fake issues the code), the callback."""
    start = await browser.get("/api/v1/auth/github/login")
    assert start.status_code == 302, start.text
    query = parse_qs(urlsplit(start.headers["location"]).query)
    code = world.github.issue_code(user, query["code_challenge"][0], query["redirect_uri"][0])
    back = await browser.get(
        "/api/v1/auth/github/callback", params={"code": code, "state": query["state"][0]}
    )
    assert back.status_code == 302, back.text


def csrf(browser: httpx.AsyncClient) -> dict[str, str]:
    token = next(c.value for c in browser.cookies.jar if c.name == "wap_csrf")
    return {"X-CSRF-Token": token, "Origin": str(browser.base_url).rstrip("/")}


@pytest.fixture
async def hall(
    mysql_url: str,
    migrated_engines: dict[str, AsyncEngine],
    redis_client: Redis,
    tmp_path: Path,
) -> AsyncIterator[World]:
    env = deployed_env()
    engine = await migrated_engine("mysql", mysql_url, migrated_engines)
    # The deployed budgets, or the defaults where compose.yaml sets none (running_world
    # lifts the sign-in budget for the other tests: put the real one back).
    budgets = {
        "WAP_AUTH_RATE_LIMIT": env.get("WAP_AUTH_RATE_LIMIT", "60/minute"),
        "WAP_REFRESH_RATE_LIMIT": env.get("WAP_REFRESH_RATE_LIMIT", "10/minute"),
    }
    async with running_world(
        mysql_url, engine, tmp_path / "media", {"WAP_REDIS_URL": REDIS_URL} | budgets
    ) as world:
        yield world


async def test_a_lecture_hall_on_one_address_signs_in_refreshes_and_logs_out(
    hall: World,
) -> None:
    budget = budget_of(deployed_env(), "WAP_AUTH_RATE_LIMIT", "60/minute")
    base = str(hall.client.base_url)
    started = time.monotonic()

    async def student(n: int) -> list[int]:
        async with httpx.AsyncClient(base_url=base, timeout=30) as browser:  # 127.0.0.1
            await browser_sign_in(hall, browser, GitHubUser(70_000 + n, f"student{n}"))
            me = await browser.get("/api/v1/members/me")
            refreshed = await browser.post("/api/v1/auth/refresh", headers=csrf(browser))
            out = await browser.post("/api/v1/auth/logout", headers=csrf(browser))
            return [me.status_code, refreshed.status_code, out.status_code]

    answers = await asyncio.gather(*(student(n) for n in range(HALL)))
    assert answers == [[200, 200, 204]] * HALL
    assert time.monotonic() - started < 60  # all within one window of the budget
    # Each student spent two hits of the hall's budget (start and callback); the deployed
    # budget leaves room for a third each (a reload, a retry).
    assert budget >= 3 * HALL

    # One client on another address, far beyond the budget: refused, told when to return.
    loud = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
    async with httpx.AsyncClient(base_url=base, transport=loud, timeout=30) as noisy:
        gate = asyncio.Semaphore(25)

        async def start() -> httpx.Response:
            async with gate:
                return await noisy.get("/api/v1/auth/github/login")

        flood = await asyncio.gather(*(start() for _ in range(budget + 50)))
    statuses = [r.status_code for r in flood]
    assert statuses.count(302) == budget and statuses.count(429) == 50
    waits = [retry_after(r) for r in flood if r.status_code == 429]
    assert all(1 <= wait <= 60 for wait in waits)

    # The hall is not locked out by it: one more student signs in at once.
    async with httpx.AsyncClient(base_url=base, timeout=30) as late:
        await browser_sign_in(hall, late, GitHubUser(79_999, "latecomer"))


async def test_one_session_beyond_its_refresh_budget_does_not_stop_another(hall: World) -> None:
    per_session = budget_of(deployed_env(), "WAP_REFRESH_RATE_LIMIT", "10/minute")
    mine = await hall.sign_in(GitHubUser(81_001, "eager"))
    theirs = await hall.sign_in(GitHubUser(81_002, "calm"))
    token = mine["refresh_token"]
    for _ in range(per_session):
        answer = await hall.client.post("/api/v1/auth/refresh", json={"refresh_token": token})
        assert answer.status_code == 200, answer.text
        token = answer.json()["refresh_token"]
    refused = await hall.client.post("/api/v1/auth/refresh", json={"refresh_token": token})
    assert 1 <= retry_after(refused) <= 60
    # Same address, another session: its own budget.
    other = await hall.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": theirs["refresh_token"]}
    )
    assert other.status_code == 200, other.text
    # An unknown token is still auth.refresh_invalid (it spends the address's budget).
    unknown = await hall.client.post("/api/v1/auth/refresh", json={"refresh_token": "nope"})
    assert_problem(unknown, 401, "auth.refresh_invalid")


async def test_sign_in_budget_is_per_address_and_spares_the_other_routes(
    sqlite_url: str, migrated_engines: dict[str, AsyncEngine], tmp_path: Path
) -> None:
    engine = await migrated_engine("sqlite", sqlite_url, migrated_engines)
    async with running_world(
        sqlite_url, engine, tmp_path / "media", {"WAP_AUTH_RATE_LIMIT": "7/minute"}
    ) as world:
        newcomers = [await world.sign_in(GitHubUser(82_000 + n, f"new{n}")) for n in range(7)]
        token_exchange = await world.client.post(
            "/api/v1/auth/github/token", json={"code": "whatever"}
        )
        assert 50 <= retry_after(token_exchange) <= 60
        assert 50 <= retry_after(await world.client.get("/api/v1/auth/github/login")) <= 60
        # E-mail codes are limited per member and per inbox, not by the sign-in budget.
        answers = [
            await world.client.post(
                "/api/v1/auth/email-codes",
                json={"email": "victim@pukyong.ac.kr"},
                headers=bearer(n["access_token"]),
            )
            for n in newcomers
        ]
        assert [a.status_code for a in answers] == [202] * EmailCodePolicy.MAX_PER_HOUR + [429] * 2
        # The inbox's oldest code leaves the hour's window in about an hour.
        assert all(3500 <= retry_after(a) <= 3600 for a in answers[-2:])
        # Sessions refresh and log out whatever their address's budget.
        pair = await world.client.post(
            "/api/v1/auth/refresh", json={"refresh_token": newcomers[0]["refresh_token"]}
        )
        assert pair.status_code == 200, pair.text
        out = await world.client.post(
            "/api/v1/auth/logout", headers=bearer(pair.json()["access_token"])
        )
        assert out.status_code == 204
        # Another address has a budget of its own.
        transport = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
        async with httpx.AsyncClient(
            base_url=world.client.base_url, transport=transport
        ) as elsewhere:
            assert (await elsewhere.get("/api/v1/auth/github/login")).status_code == 302
