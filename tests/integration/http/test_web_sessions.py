"""Browser sessions at their edges: cookies the service cannot use, logging out on a shared
PC, and CSRF (origin, session-bound token, Secure cookie) on the API and on the web forms."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from litestar import Request
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.conftest import migrated_engine
from tests.integration.http.conftest import SECRET, Api, World, running_world
from tests.integration.http.fakes import GitHubUser
from tests.integration.http.test_foundation import assert_problem
from wap.adapters.security.jwt import JwtAccessTokenCodec
from wap.application.auth.ports import AccessClaims
from wap.entrypoints.http.errors import CsrfFailed
from wap.entrypoints.http.identity import ensure_same_origin

READ_ALL = "/api/v1/notifications/read"


@asynccontextmanager
async def browser(world: World, user: GitHubUser) -> AsyncIterator[httpx.AsyncClient]:
    """A browser signed in through GitHub: wap_access, wap_refresh and wap_csrf cookies."""
    base = str(world.client.base_url).rstrip("/")
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        world.github.next_user = user
        start = await client.get("/api/v1/auth/github/login")
        async with httpx.AsyncClient() as at_github:
            back = await at_github.get(start.headers["location"])
        callback = urlsplit(back.headers["location"])
        landed = await client.get(callback.path + "?" + callback.query)
        assert landed.status_code == 302, landed.text
        yield client


def origin_of(client: httpx.AsyncClient) -> dict[str, str]:
    return {"Origin": str(client.base_url).rstrip("/")}


def cookie(client: httpx.AsyncClient, name: str) -> str:
    return next(c.value for c in client.cookies.jar if c.name == name)


def replace_cookie(client: httpx.AsyncClient, name: str, value: str) -> None:
    """Overwrite the cookie the server set (same domain and path), as a planted one would."""
    found = next(c for c in client.cookies.jar if c.name == name)
    client.cookies.set(name, value, domain=found.domain, path=found.path)


def cleared(response: httpx.Response, name: str) -> bool:
    return any(
        line.startswith(f"{name}=") and "max-age=0" in line.lower()
        for line in response.headers.get_list("set-cookie")
    )


def form_csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found[1]


# ---------------------------------------------------------------- a bad cookie


async def test_a_cookie_the_service_cannot_use_signs_the_page_out_instead_of_a_401(
    world: World,
) -> None:
    async with browser(world, GitHubUser(2_001, "lab-pc")) as client:
        token = cookie(client, "wap_access")
        codec = JwtAccessTokenCodec(SECRET)
        claims = codec.read(token, datetime.now(UTC))
        expired = codec.issue(claims, datetime.now(UTC) - timedelta(hours=2))
        forged = AccessClaims(claims.member_id, claims.session_id)
        other_key = JwtAccessTokenCodec("k" * 48).issue(forged, datetime.now(UTC))
        for bad in ("nonsense", "x" * 5000, expired, other_key):
            async with httpx.AsyncClient(base_url=str(client.base_url)) as visitor:
                visitor.cookies.set("wap_access", bad)
                for path in ("/", "/login"):
                    page = await visitor.get(path)
                    assert page.status_code in (200, 404), (path, page.status_code)
                    assert page.headers["content-type"].startswith("text/html"), path
                    assert "Sign in" in page.text or "로그인" in page.text
                    assert cleared(page, "wap_access") and cleared(page, "wap_refresh"), path
                missing = await visitor.get("/teams/999999")
                assert missing.status_code == 404 and cleared(missing, "wap_access")
                me = await visitor.get("/me")
                assert (me.status_code, me.headers.get("location")) == (303, "/login")
                # /logout works too: the page's own (fresh, anonymous) token signs it.
                visitor.cookies.set("wap_access", bad)
                await visitor.get("/login")
                fresh = cookie(visitor, "wap_csrf")
                visitor.cookies.set("wap_access", bad)
                out = await visitor.post(
                    "/logout", data={"csrf": fresh}, headers=origin_of(visitor)
                )
                assert out.status_code == 303, out.text
                # The API keeps its codes.
                visitor.cookies.set("wap_access", bad)
                api = await visitor.get("/api/v1/members/me")
                assert api.status_code == 401
                assert api.json()["code"] in ("auth.token_invalid", "auth.token_expired")
        # A revoked session's cookie, too: log out by the API, then come back with it.
        out = await client.post(
            "/api/v1/auth/logout",
            headers={"X-CSRF-Token": cookie(client, "wap_csrf")} | origin_of(client),
        )
        assert out.status_code == 204
        client.cookies.set("wap_access", token)
        page = await client.get("/")
        assert page.status_code == 200 and cleared(page, "wap_access")
        assert_problem(await client.get("/api/v1/members/me"), 401, "auth.token_invalid")


# ---------------------------------------------------------------- web logout


async def test_web_logout_revokes_the_sessions_refresh_token(world: World) -> None:
    async with browser(world, GitHubUser(2_002, "shared-pc")) as client:
        refresh = cookie(client, "wap_refresh")
        page = await client.get("/")
        out = await client.post(
            "/logout", data={"csrf": form_csrf(page)}, headers=origin_of(client)
        )
        assert out.status_code == 303
    stolen = await world.client.post("/api/v1/auth/refresh", json={"refresh_token": refresh})
    assert_problem(stolen, 401, "auth.refresh_invalid")


async def test_web_logout_revokes_the_session_after_the_access_cookie_lapsed(
    world: World,
) -> None:
    async with browser(world, GitHubUser(2_003, "lapsed")) as client:
        refresh = cookie(client, "wap_refresh")
        client.cookies.delete("wap_access")  # 30 minutes later the browser has dropped it
        page = await client.get("/")
        assert page.status_code == 200 and 'data-testid="end-session"' in page.text
        out = await client.post(
            "/logout", data={"csrf": form_csrf(page)}, headers=origin_of(client)
        )
        assert out.status_code == 303
        assert cleared(out, "wap_refresh")
    stolen = await world.client.post("/api/v1/auth/refresh", json={"refresh_token": refresh})
    assert_problem(stolen, 401, "auth.refresh_invalid")


async def test_web_logout_from_a_stale_tab_still_signs_out(world: World) -> None:
    """A tab rendered before a second sign-in holds an old CSRF token: its logout button
    still ends the session the browser is signed in with (a lab PC), never a 403 page."""
    async with browser(world, GitHubUser(2_006, "stale-tab")) as client:
        stale = form_csrf(await client.get("/"))
        world.github.next_user = GitHubUser(2_006, "stale-tab")
        start = await client.get("/api/v1/auth/github/login")  # signed in again, elsewhere
        async with httpx.AsyncClient() as at_github:
            back = await at_github.get(start.headers["location"])
        callback = urlsplit(back.headers["location"])
        assert (await client.get(callback.path + "?" + callback.query)).status_code == 302
        refresh = cookie(client, "wap_refresh")
        assert form_csrf(await client.get("/")) != stale
        out = await client.post("/logout", data={"csrf": stale}, headers=origin_of(client))
        assert out.status_code == 303 and cleared(out, "wap_access")
        # From another site, the same form signs no one out.
        forged = await client.post(
            "/logout", data={"csrf": stale}, headers={"Origin": "https://evil.example"}
        )
        assert forged.status_code == 303 and not cleared(forged, "wap_access")
    stolen = await world.client.post("/api/v1/auth/refresh", json={"refresh_token": refresh})
    assert_problem(stolen, 401, "auth.refresh_invalid")


async def test_a_forged_session_token_closes_nothing(world: World) -> None:
    async with browser(world, GitHubUser(2_004, "victim")) as victim:
        refresh = cookie(victim, "wap_refresh")
        session_token = cookie(victim, "wap_csrf")
        session_id = session_token.partition(".")[0]
    async with httpx.AsyncClient(base_url=str(world.client.base_url)) as stranger:
        forged = f"{session_id}.AAAA"
        stranger.cookies.set("wap_csrf", forged)
        out = await stranger.post("/logout", data={"csrf": forged}, headers=origin_of(stranger))
        assert out.status_code == 303
    fresh = await world.client.post("/api/v1/auth/refresh", json={"refresh_token": refresh})
    assert fresh.status_code == 200, fresh.text


# ---------------------------------------------------------------- CSRF


async def test_unsafe_cookie_requests_must_come_from_our_origin(world: World) -> None:
    async with browser(world, GitHubUser(2_005, "origin")) as client:
        token = {"X-CSRF-Token": cookie(client, "wap_csrf")}
        base = str(client.base_url).rstrip("/")
        for headers in (
            {"Origin": "https://evil.example"},
            {"Origin": "null"},
            {"Origin": base.replace("127.0.0.1", "127.0.0.2")},
            {"Referer": "https://evil.example/page"},
            {"Referer": "http://[::1/broken"},  # unparsable: refused, not a 500
            {"Origin": "http://127.0.0.1:99999"},
            {"Referer": "about:blank"},  # a Referer with no origin in it
        ):
            refused = await client.post(READ_ALL, json={}, headers=token | headers)
            assert_problem(refused, 403, "auth.csrf_failed")
        # Neither header: no browser page sent it, so no cross-site forgery; the token decides.
        assert (await client.post(READ_ALL, json={}, headers=token)).is_success
        no_token = await client.post(READ_ALL, json={}, headers={"X-CSRF-Token": "x" * 32})
        assert_problem(no_token, 403, "auth.csrf_failed")
        assert (await client.post(READ_ALL, json={}, headers=token | {"Origin": base})).is_success
        by_referer = await client.post(READ_ALL, json={}, headers=token | {"Referer": base + "/"})
        assert by_referer.is_success
        # A bearer token is no cookie: no origin is asked of it.
        # Web forms check the origin as well.
        page = await client.get("/notifications")
        cross = await client.post(
            "/notifications/read",
            data={"csrf": form_csrf(page)},
            headers={"Origin": "https://evil.example"},
        )
        assert cross.headers["location"] == "/notifications?error=auth.csrf_failed"
        same = await client.post(
            "/notifications/read", data={"csrf": form_csrf(page)}, headers={"Origin": base}
        )
        assert same.headers["location"] == "/notifications?notice=read"


async def test_a_front_end_of_cors_origins_may_send_unsafe_cookie_requests(
    backend: str,
    database_url: str,
    migrated_engines: dict[str, AsyncEngine],
    tmp_path: Path,
) -> None:
    engine = await migrated_engine(backend, database_url, migrated_engines)
    env = {"WAP_CORS_ORIGINS": "https://front.example"}
    async with (
        running_world(database_url, engine, tmp_path / "media", env) as world,
        browser(world, GitHubUser(2_006, "front")) as client,
    ):
        token = {"X-CSRF-Token": cookie(client, "wap_csrf")}
        ok = await client.post(
            READ_ALL, json={}, headers=token | {"Origin": "https://front.example"}
        )
        assert ok.is_success, ok.text
        other = await client.post(
            READ_ALL, json={}, headers=token | {"Origin": "https://x.example"}
        )
        assert_problem(other, 403, "auth.csrf_failed")


async def test_the_csrf_token_is_bound_to_the_session(world: World) -> None:
    async with (
        browser(world, GitHubUser(2_007, "attacker")) as attacker,
        browser(world, GitHubUser(2_008, "target")) as target,
    ):
        own = cookie(attacker, "wap_csrf")
        base = origin_of(target)
        # Planting one's own (valid) token, or any random pair, in the victim's cookie jar does
        # not pass: the token must be the victim's session's.
        for planted in (own, "random-double-submit-value"):
            replace_cookie(target, "wap_csrf", planted)
            refused = await target.post(READ_ALL, json={}, headers={"X-CSRF-Token": planted} | base)
            assert_problem(refused, 403, "auth.csrf_failed")
            page_form = await target.post(
                "/notifications/read", data={"csrf": planted}, headers=base
            )
            assert page_form.headers["location"] == "/notifications?error=auth.csrf_failed"
        # A page gives the member their session's token back.
        page = await target.get("/notifications")
        right = form_csrf(page)
        assert right != own and cookie(target, "wap_csrf") == right
        done = await target.post(READ_ALL, json={}, headers={"X-CSRF-Token": right} | base)
        assert done.is_success, done.text


async def test_the_csrf_cookie_is_secure_wherever_it_is_set(api: Api) -> None:
    assert api.settings.cookie_secure
    for path in ("/login", "/"):
        page = await api.client.get(path)
        line = next(c for c in page.headers.get_list("set-cookie") if c.startswith("wap_csrf="))
        assert "Secure" in line and "HttpOnly" not in line, line


async def test_with_secure_cookies_only_an_https_origin_is_ours_beyond_loopback(
    api: Api,
) -> None:
    """``api`` runs with secure cookies; the Host decides which origin is the service's own."""

    def asked(host: str, origin: str) -> Request:  # type: ignore[type-arg]
        return Request(
            {
                "type": "http",
                "method": "POST",
                "path": "/api/v1/notifications/read",
                "headers": [(b"host", host.encode()), (b"origin", origin.encode())],
            }  # type: ignore[arg-type]
        )

    settings = api.settings
    ensure_same_origin(asked("wap.example.org", "https://wap.example.org"), settings)
    ensure_same_origin(asked("wap.example.org", "https://wap.example.org:8443"), settings)
    ensure_same_origin(asked("localhost:8080", "http://localhost:8080"), settings)
    for host, origin in (
        ("wap.example.org", "http://wap.example.org"),  # plain HTTP beside secure cookies
        ("wap.example.org:443", "https://wap.example.org:8443"),
        ("wap.example.org", "https://evil.wap.example.org"),
    ):
        with pytest.raises(CsrfFailed):
            ensure_same_origin(asked(host, origin), settings)


async def test_pages_ignore_another_schemes_authorization_header(world: World) -> None:
    """A staging site behind nginx's auth_basic: every request carries Basic credentials.
    The pages read the cookie as always; the API still refuses a non-Bearer header."""
    basic = {"Authorization": "Basic c3RhZmY6c2VjcmV0"}
    for path in ("/", "/login"):
        page = await world.client.get(path, headers=basic)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    async with browser(world, GitHubUser(2_007, "staging")) as client:
        me = await client.get("/", headers=basic)
        assert me.status_code == 200 and "staging" in me.text
    api = await world.client.get("/api/v1/members/me", headers=basic)
    assert_problem(api, 401, "auth.token_invalid")
