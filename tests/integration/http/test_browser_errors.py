"""Errors in the browser are pages in the site's layout; the API keeps problem JSON.

The same failure is asked for twice: by a browser (``Accept: text/html…``) on a page path,
and on an API path (or by a client asking for JSON on a page path). A favicon answers, and
the pages' static files carry an ETag and Cache-Control and answer 304 when unchanged."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
import pytest
from dishka import Provider, Scope, provide
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.conftest import migrated_engine
from tests.integration.http.conftest import SECRET, serving
from wap.application.catalog.get_catalog import CatalogView, GetCatalog
from wap.application.errors import RateLimited, Unavailable
from wap.entrypoints.config import Settings
from wap.entrypoints.http.app import MAX_BODY_BYTES, create_app

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PROBLEM = "application/problem+json"
REVALIDATE = "no-cache, public"  # kept, and asked again each time with If-None-Match


@pytest.fixture
async def sqlite_url(sqlite_url: str, migrated_engines: dict[str, AsyncEngine]) -> str:
    await migrated_engine("sqlite", sqlite_url, migrated_engines)
    return sqlite_url


def settings_for(sqlite_url: str, **extra: str) -> Settings:
    return Settings.from_env({"WAP_DATABASE_URL": sqlite_url, "WAP_SECRET_KEY": SECRET, **extra})


@asynccontextmanager
async def client_for(settings: Settings, *providers: Provider) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        serving(create_app(settings, *providers)) as base_url,
        httpx.AsyncClient(base_url=base_url, timeout=30) as client,
    ):
        yield client


def assert_page(response: httpx.Response, status: int, text: str) -> None:
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith("text/html")
    assert 'data-testid="error-page"' in response.text
    assert text in response.text
    assert '<a class="button" href="/">' in response.text  # a way home
    assert 'href="/static/web/app.css"' in response.text  # the site's layout (base.html)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "Traceback" not in response.text


def assert_problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["code"] == code


# ---------------------------------------------------------------- statuses


async def test_an_unknown_page_is_a_404_page_and_an_unknown_api_route_stays_json(
    sqlite_url: str,
) -> None:
    async with client_for(settings_for(sqlite_url)) as client:
        page = await client.get("/no/such/page", headers={"Accept": BROWSER})
        assert_page(page, 404, "요청한 경로를 찾을 수 없습니다.")
        assert '<html lang="ko">' in page.text
        english = await client.get(
            "/no/such/page", headers={"Accept": BROWSER, "Accept-Language": "en"}
        )
        assert_page(english, 404, "No such route.")
        assert '<html lang="en">' in english.text
        assert_problem(
            await client.get("/api/v1/no/such", headers={"Accept": BROWSER}),
            404,
            "request.not_found",
        )
        # A client that asks for JSON, or for anything, keeps problem JSON on a page path.
        for accept in ("application/json", "*/*", ""):
            assert_problem(
                await client.get("/no/such/page", headers={"Accept": accept}),
                404,
                "request.not_found",
            )
        # Files and /metrics (unset here) are not pages.
        for path in ("/static/web/nothing.css", "/media/nothing.png", "/metrics"):
            assert_problem(
                await client.get(path, headers={"Accept": BROWSER}), 404, "request.not_found"
            )


async def test_a_hidden_team_or_member_is_a_404_page(sqlite_url: str) -> None:
    async with client_for(settings_for(sqlite_url)) as client:
        for path in ("/teams/999999", "/members/999999"):
            assert_page(
                await client.get(path, headers={"Accept": BROWSER}),
                404,
                "요청한 경로를 찾을 수 없습니다.",
            )
        assert_problem(
            await client.get("/api/v1/teams/999999", headers={"Accept": BROWSER}),
            404,
            "team.not_found",
        )


async def test_a_method_a_page_does_not_take_is_a_405_page_with_allow(sqlite_url: str) -> None:
    async with client_for(settings_for(sqlite_url)) as client:
        page = await client.put("/login", headers={"Accept": BROWSER})
        assert_page(page, 405, "이 경로에서 허용되지 않는 메서드입니다.")
        assert "GET" in page.headers["allow"]
        api = await client.put("/api/v1/catalog", headers={"Accept": BROWSER})
        assert_problem(api, 405, "request.method_not_allowed")
        assert "GET" in api.headers["allow"]


async def test_a_form_without_its_csrf_token_is_a_403_page(sqlite_url: str) -> None:
    settings = settings_for(sqlite_url, WAP_DEMO_SIGN_IN="true", WAP_SERVE_HOST="127.0.0.1")
    async with client_for(settings) as client:
        origin = {"Origin": str(client.base_url).rstrip("/")}
        page = await client.post(
            "/demo", data={"member_id": "1"}, headers={"Accept": BROWSER, **origin}
        )
        assert_page(page, 403, "CSRF 검증에 실패했습니다.")
        api = await client.post("/demo", data={"member_id": "1"}, headers=origin)
        assert_problem(api, 403, "auth.csrf_failed")


async def test_a_body_too_large_is_a_413_page(sqlite_url: str) -> None:
    big = b"x" * (MAX_BODY_BYTES + 1)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    async with client_for(settings_for(sqlite_url)) as client:
        page = await client.post("/teams/new", content=big, headers={"Accept": BROWSER, **form})
        assert_page(page, 413, "요청 본문이 너무 큽니다.")
        api = await client.post("/api/v1/teams", content=big, headers={"Accept": BROWSER, **form})
        assert_problem(api, 413, "request.too_large")


def failing(error: Callable[[], Exception]) -> Provider:
    """The catalog every page and ``GET /api/v1/catalog`` read, failing with ``error()``."""

    class Failing(GetCatalog):
        async def __call__(self) -> CatalogView:
            raise error()

    class FailingProvider(Provider):
        scope = Scope.REQUEST
        catalog = provide(Failing, provides=GetCatalog, override=True)

    return FailingProvider()


@pytest.mark.parametrize(
    ("error", "status", "code", "text"),
    [
        (lambda: RateLimited(retry_after=30), 429, "rate.limited", "요청이 너무 많습니다."),
        (Unavailable, 503, "service.unavailable", "일시적으로 서비스를 사용할 수 없습니다."),
        (
            lambda: OperationalError("SELECT", {}, Exception("db down")),
            503,
            "service.unavailable",
            "일시적으로 서비스를 사용할 수 없습니다.",
        ),
        (
            lambda: RuntimeError("secret internals /etc/passwd"),
            500,
            "internal",
            "서버 내부 오류가 발생했습니다.",
        ),
    ],
)
async def test_a_failing_page_is_a_page_with_the_same_status_and_no_internals(
    sqlite_url: str, error: Callable[[], Exception], status: int, code: str, text: str
) -> None:
    async with client_for(settings_for(sqlite_url), failing(error)) as client:
        page = await client.get("/", headers={"Accept": BROWSER})
        assert_page(page, status, text)
        assert "passwd" not in page.text and "RuntimeError" not in page.text
        assert "db down" not in page.text
        api = await client.get("/api/v1/catalog", headers={"Accept": BROWSER})
        assert_problem(api, status, code)
        if status == 429:
            assert page.headers["retry-after"] == api.headers["retry-after"] == "30"


# ---------------------------------------------------------------- favicon and static files


async def test_the_favicon_is_linked_and_answers(sqlite_url: str) -> None:
    async with client_for(settings_for(sqlite_url)) as client:
        login = await client.get("/login", headers={"Accept": BROWSER})
        assert '<link rel="icon" href="/static/web/favicon.svg" type="image/svg+xml">' in (
            login.text
        )
        for path in ("/static/web/favicon.svg", "/favicon.ico"):
            icon = await client.get(path, headers={"Accept": "image/*"})
            assert icon.status_code == 200, path
            assert icon.headers["content-type"].startswith("image/svg+xml"), path
            assert icon.content.startswith(b"<svg"), path
            assert icon.headers["etag"] and icon.headers["cache-control"] == REVALIDATE
            again = await client.get(path, headers={"If-None-Match": icon.headers["etag"]})
            assert again.status_code == 304 and again.content == b"", path


async def test_static_files_carry_an_etag_and_answer_304_when_unchanged(sqlite_url: str) -> None:
    async with client_for(settings_for(sqlite_url)) as client:
        for name in ("app.css", "app.js"):
            first = await client.get(f"/static/web/{name}")
            assert first.status_code == 200 and first.content
            etag = first.headers["etag"]
            assert etag.startswith('"') and etag.endswith('"')
            assert first.headers["cache-control"] == REVALIDATE
            same = await client.get(f"/static/web/{name}", headers={"If-None-Match": etag})
            assert same.status_code == 304 and same.content == b""
            assert same.headers["etag"] == etag
            assert same.headers["cache-control"] == REVALIDATE
            weak = await client.get(
                f"/static/web/{name}", headers={"If-None-Match": f'"other", W/{etag}'}
            )
            assert weak.status_code == 304
            head = await client.head(f"/static/web/{name}", headers={"If-None-Match": etag})
            assert head.status_code == 304
            changed = await client.get(f"/static/web/{name}", headers={"If-None-Match": '"stale"'})
            assert changed.status_code == 200 and changed.content == first.content
