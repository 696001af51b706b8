"""Prometheus metrics over real HTTP, against MariaDB and Redis: series per route template
and status, the caches, rate-limit refusals, pending views, flushes, the task queue, and
the bearer token that keeps /metrics private."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.conftest import REDIS_URL, migrated_engine
from tests.integration.http.conftest import SECRET, World, running_world
from tests.integration.http.fakes import GitHubUser
from tests.integration.http.test_foundation import assert_problem
from tests.integration.http.test_team_building import open_team
from tests.integration.http.test_views_and_cache import WAP, run_job

TOKEN = "metrics-token-" + "m" * 20
SCRAPE = {"Authorization": f"Bearer {TOKEN}"}
TEAM_ROUTE = "/api/v1/teams/{team_id}"


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


class Scrape:
    def __init__(self, text: str) -> None:
        self.text = text
        self.values = samples(text)

    def get(self, name: str, **labels: str) -> float:
        """The sum of the series ``name`` whose labels include ``labels`` (0 if none)."""
        wanted = set(labels.items())
        return sum(v for (n, ls), v in self.values.items() if n == name and wanted <= ls)

    def has(self, name: str) -> bool:
        return any(n == name for n, _ in self.values)


async def scrape(world: World) -> Scrape:
    response = await world.client.get("/metrics", headers=SCRAPE)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return Scrape(response.text)


def flush_without_a_database(mysql_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*WAP, "jobs", "run", "flush_views"],
        env={k: v for k, v in os.environ.items() if not k.startswith("WAP_")}
        | {
            "WAP_DATABASE_URL": f"{mysql_url}_missing",
            "WAP_REDIS_URL": REDIS_URL,
            "WAP_SECRET_KEY": SECRET,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def backend() -> str:
    return "mysql"


@pytest.fixture
async def observed(
    database_url: str,
    migrated_engines: dict[str, AsyncEngine],
    redis_client: Redis,
    tmp_path: Path,
) -> AsyncIterator[World]:
    engine = await migrated_engine("mysql", database_url, migrated_engines)
    env = {"WAP_REDIS_URL": REDIS_URL, "WAP_METRICS_TOKEN": TOKEN}
    async with running_world(database_url, engine, tmp_path / "media", env) as world:
        yield world


async def test_requests_are_counted_per_route_template_and_status(observed: World) -> None:
    officer, leader = await observed.account("Officer", officer=True), await observed.account()
    team = await open_team(observed, leader, officer)
    before = await scrape(observed)

    for _ in range(3):
        assert (await observed.client.get(f"/api/v1/teams/{team['id']}")).status_code == 200
    missing = await observed.client.get("/api/v1/teams/987654")
    assert_problem(missing, 404, "team.not_found")

    after = await scrape(observed)
    ok = {"path": TEAM_ROUTE, "method": "GET", "status_code": "200"}
    gone = ok | {"status_code": "404"}
    assert after.get("wap_requests_total", **ok) - before.get("wap_requests_total", **ok) == 3
    assert after.get("wap_requests_total", **gone) - before.get("wap_requests_total", **gone) == 1
    count = "wap_request_duration_seconds_count"
    assert after.get(count, **ok) - before.get(count, **ok) == 3
    assert after.has("wap_request_duration_seconds_bucket")
    # Labelled by template, never by the raw path (its ids would explode the series).
    assert f'path="/api/v1/teams/{team["id"]}"' not in after.text
    assert 'path="/api/v1/teams/987654"' not in after.text
    assert 'path="/metrics"' not in after.text


async def test_cache_hits_and_misses_of_team_pages_and_profiles(
    observed: World, redis_client: Redis
) -> None:
    officer, leader = await observed.account("Officer", officer=True), await observed.account()
    team = await open_team(observed, leader, officer)
    # The writes above left tombstones that keep the entries out for 5 s; let them pass.
    await redis_client.delete(f"wap:cache:team:{team['id']}", f"wap:cache:member:{leader.id}")
    lookups = "wap_cache_lookups_total"

    for cache, path in (
        ("team", f"/api/v1/teams/{team['id']}"),
        ("profile", f"/api/v1/members/{leader.id}"),
    ):
        before = await scrape(observed)
        assert (await observed.client.get(path)).status_code == 200  # a miss, which fills it
        middle = await scrape(observed)
        assert (await observed.client.get(path)).status_code == 200  # a hit
        after = await scrape(observed)
        miss, hit = {"cache": cache, "result": "miss"}, {"cache": cache, "result": "hit"}
        assert middle.get(lookups, **miss) - before.get(lookups, **miss) == 1
        assert middle.get(lookups, **hit) == before.get(lookups, **hit)
        assert after.get(lookups, **hit) - middle.get(lookups, **hit) == 1
        assert after.get(lookups, **miss) == middle.get(lookups, **miss)


async def test_pending_views_and_flush_outcomes_reach_the_scrape_from_other_processes(
    observed: World, mysql_url: str
) -> None:
    officer, leader = await observed.account("Officer", officer=True), await observed.account()
    team = await open_team(observed, leader, officer)
    start = await scrape(observed)
    assert start.get("wap_dependency_up", dependency="redis") == 1
    assert start.get("wap_dependency_up", dependency="database") == 1
    assert start.get("wap_ready") == 1
    ok, failed = {"result": "ok"}, {"result": "failed"}

    for viewer in (officer, leader):
        await observed.client.get(f"/api/v1/teams/{team['id']}", headers=viewer.auth)
    viewed = await scrape(observed)
    assert viewed.get("wap_pending_views") - start.get("wap_pending_views") == 2

    # A flush in another process whose database is gone: counted as failed, views kept.
    broken = flush_without_a_database(mysql_url)
    assert broken.returncode != 0
    after_failure = await scrape(observed)
    flushes = "wap_view_flushes_total"
    assert after_failure.get(flushes, **failed) - viewed.get(flushes, **failed) == 1
    assert after_failure.get(flushes, **ok) == viewed.get(flushes, **ok)
    assert after_failure.get("wap_pending_views") == viewed.get("wap_pending_views")
    assert after_failure.has("wap_view_flush_last_failure_timestamp_seconds")

    assert "flushed 2 views" in run_job(observed, "flush_views")
    done = await scrape(observed)
    assert done.get(flushes, **ok) - viewed.get(flushes, **ok) == 1
    assert done.get("wap_views_flushed_total") - viewed.get("wap_views_flushed_total") == 2
    assert done.get("wap_pending_views") == 0
    assert done.get("wap_view_flush_last_success_timestamp_seconds") > 0


async def test_queue_depth_counts_tasks_no_worker_has_taken(observed: World) -> None:
    registering = await observed.account(status=None)
    before = await scrape(observed)
    asked = await observed.client.post(
        "/api/v1/auth/email-codes", json={"email": registering.email}, headers=registering.auth
    )
    assert asked.status_code == 202, asked.text
    after = await scrape(observed)  # no `wap worker` runs here: the mail task waits
    waiting = "wap_queue_waiting_tasks"
    assert after.get(waiting) - before.get(waiting) == 1
    assert after.has("wap_queue_unacked_tasks")


async def test_rate_limit_refusals_are_counted_by_route(
    database_url: str, migrated_engines: dict[str, AsyncEngine], redis_client: Redis, tmp_path: Path
) -> None:
    engine = await migrated_engine("mysql", database_url, migrated_engines)
    env = {
        "WAP_REDIS_URL": REDIS_URL,
        "WAP_METRICS_TOKEN": TOKEN,
        "WAP_AUTH_RATE_LIMIT": "2/minute",
    }
    async with running_world(database_url, engine, tmp_path / "media", env) as world:
        before = await scrape(world)
        statuses = [
            (await world.client.get("/api/v1/auth/github/login")).status_code for _ in range(4)
        ]
        assert statuses.count(429) >= 1, statuses
        after = await scrape(world)
    refused = {"path": "/api/v1/auth/github/login"}
    delta = after.get("wap_rate_limited_total", **refused) - before.get(
        "wap_rate_limited_total", **refused
    )
    assert delta == statuses.count(429)


async def test_metrics_need_the_bearer_token(observed: World) -> None:
    assert_problem(await observed.client.get("/metrics"), 401, "auth.required")
    wrong = {"Authorization": f"Bearer {TOKEN}x"}
    assert_problem(await observed.client.get("/metrics", headers=wrong), 401, "auth.required")
    assert (await observed.client.get("/metrics", headers=SCRAPE)).status_code == 200


async def test_without_a_token_there_is_no_metrics_route(
    database_url: str, migrated_engines: dict[str, AsyncEngine], tmp_path: Path
) -> None:
    engine = await migrated_engine("mysql", database_url, migrated_engines)
    async with running_world(database_url, engine, tmp_path / "media") as world:
        assert_problem(await world.client.get("/metrics", headers=SCRAPE), 404, "request.not_found")
        schema = (await world.client.get("/schema/openapi.json")).json()
        assert "/metrics" not in schema["paths"]


async def test_a_refusal_shown_on_a_web_page_is_counted_too(observed: World) -> None:
    hall = "lecture-hall@pukyong.ac.kr"  # at most five codes an hour to one address
    for _ in range(5):
        asker = await observed.account(status=None)
        sent = await observed.client.post(
            "/api/v1/auth/email-codes", json={"email": hall}, headers=asker.auth
        )
        assert sent.status_code == 202, sent.text

    # A sixth newcomer signs in with the browser and asks on the sign-up page.
    observed.github.next_user = GitHubUser(77_001, "newcomer")
    base = str(observed.client.base_url)
    async with httpx.AsyncClient(base_url=base, timeout=30) as browser:
        start = await browser.get("/api/v1/auth/github/login", params={"next": "/register"})
        async with httpx.AsyncClient() as at_github:
            back = await at_github.get(start.headers["location"])
        landed = await browser.get(back.headers["location"])
        assert landed.status_code == 302, landed.text
        form = await browser.get("/register")
        found = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert found, form.text
        before = await scrape(observed)
        page = await browser.post(
            "/register",
            data={"csrf": found[1], "step": "code", "email": hall},
            headers={"Origin": base.rstrip("/")},
        )
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    after = await scrape(observed)
    refused = {"path": "/register"}
    assert (
        after.get("wap_rate_limited_total", **refused)
        - before.get("wap_rate_limited_total", **refused)
        == 1
    )
