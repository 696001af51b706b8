"""X-Request-ID: every response has one; a client's own is believed only from a trusted
proxy, and only when it is short and plain."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from tests.integration.http.conftest import SECRET, serving
from wap.entrypoints.config import Settings
from wap.entrypoints.http.app import create_app
from wap.entrypoints.logs import RequestIdFilter


@asynccontextmanager
async def client_of(tmp_path: Path, trusted: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings.from_env(
        {
            "WAP_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'wap.db'}",
            "WAP_SECRET_KEY": SECRET,
            "WAP_MEDIA_DIR": str(tmp_path / "media"),
            "WAP_TRUSTED_PROXIES": trusted,
        }
    )
    async with (
        serving(create_app(settings)) as url,
        httpx.AsyncClient(base_url=url, timeout=10) as client,
    ):
        yield client


async def test_every_response_gets_a_fresh_id_unmatched_routes_too(tmp_path: Path) -> None:
    async with client_of(tmp_path, "") as client:
        found = [
            (await client.get(path)).headers.get("x-request-id")
            for path in ("/healthz", "/healthz", "/no/such/route", "/static/%00")
        ]
    assert all(found) and len(set(found)) == len(found)
    assert all(len(i) == 16 for i in found if i)


async def test_an_untrusted_peers_id_is_replaced(tmp_path: Path) -> None:
    async with client_of(tmp_path, "10.9.9.9") as client:  # the test's 127.0.0.1 is not it
        answer = await client.get("/healthz", headers={"X-Request-ID": "forged-by-a-client"})
    assert answer.headers["x-request-id"] != "forged-by-a-client"


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("abc-123.DEF_9", True),
        ("x" * 128, True),
        ("x" * 129, False),
        ("has space", False),
        ("semi;colon", False),
        ("ünïcode", False),
    ],
)
async def test_a_trusted_proxys_id_is_kept_when_plain(
    tmp_path: Path, sent: str, kept: bool
) -> None:
    async with client_of(tmp_path, "127.0.0.1") as client:
        answer = await client.get("/healthz", headers={"X-Request-ID": sent.encode()})
    assert (answer.headers["x-request-id"] == sent) is kept
    assert len(answer.headers["x-request-id"]) <= 128


async def test_lines_logged_during_a_request_carry_its_id(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.handler.addFilter(RequestIdFilter())
    caplog.set_level(logging.INFO)
    async with client_of(tmp_path, "127.0.0.1") as client:
        # The database file has no tables: the list fails, and the handler logs why (503).
        answer = await client.get("/api/v1/teams", headers={"X-Request-ID": "trace-me-42"})
    assert answer.status_code == 503, answer.text
    assert answer.headers["x-request-id"] == "trace-me-42"
    during = [r for r in caplog.records if r.name == "wap.http"]
    assert during, caplog.text
    assert all(getattr(r, "request_id", None) == "trace-me-42" for r in during)
