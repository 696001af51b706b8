"""The foundation over real HTTP, on SQLite and on MariaDB."""

from __future__ import annotations

import httpx
from dishka import Provider, Scope, provide
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.builders import member, team
from tests.integration.conftest import migrated_engine
from tests.integration.http.conftest import SECRET, Api, serving
from wap.adapters.sql.engine import create_sessionmaker
from wap.adapters.sql.members import SqlMemberRepository
from wap.adapters.sql.teams import SqlTeamRepository
from wap.adapters.sql.touched import Touched
from wap.application.catalog.get_catalog import GetCatalog
from wap.domain.catalog import Category
from wap.domain.members import Member, MemberStatus, NewMember
from wap.domain.teams import NewTeam, Team, TeamStatus
from wap.entrypoints.config import Settings
from wap.entrypoints.http.app import create_app

PROBLEM = "application/problem+json"


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["code"] == code and body["status"] == status
    assert {"type", "title", "detail"} <= body.keys()
    assert "Traceback" not in response.text
    return dict(body)


async def seed(api: Api, *people: NewMember) -> list[Member]:
    async with create_sessionmaker(api.engine)() as session:
        stored = [await SqlMemberRepository(session, Touched()).add(p) for p in people]
        await session.commit()
    return stored


async def seed_teams(api: Api, *teams: NewTeam) -> list[Team]:
    async with create_sessionmaker(api.engine)() as session:
        stored = [await SqlTeamRepository(session, Touched()).add(t) for t in teams]
        await session.commit()
    return stored


async def test_health_and_readiness(api: Api) -> None:
    health = await api.client.get("/healthz")
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    ready = await api.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"ready": True, "checks": {"database": True}}


async def test_catalog(api: Api) -> None:
    response = await api.client.get("/api/v1/catalog")
    assert response.status_code == 200
    body = response.json()
    assert body["positions"] == ["백엔드", "프론트엔드", "AI", "디자이너"]
    assert body["genres"] == ["웹", "앱", "게임"]
    assert len(body["categories"]) == 18
    assert body["current_term"][:4].isdigit() and body["current_term"][-2:] in ("-1", "-2")
    assert body["limits"]["title_max"] == 30


async def test_team_detail_and_its_visibility(api: Api) -> None:
    (leader,) = await seed(api, member(name="Leader"))
    public, hidden = await seed_teams(
        api,
        team(leader.id, title="공개 팀", slots={Category.WEB: 2}),
        team(leader.id, title="대기 팀", status=TeamStatus.PENDING),
    )

    response = await api.client.get(f"/api/v1/teams/{public.id}")
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "공개 팀" and body["status"] == "recruiting"
    assert body["slots"] == [{"category": "웹", "capacity": 2, "filled": 0}]
    assert body["leader"]["name"] == "Leader"
    assert body["created_at"].endswith("Z") or "+00:00" in body["created_at"]

    assert_problem(await api.client.get(f"/api/v1/teams/{hidden.id}"), 404, "team.not_found")
    assert_problem(await api.client.get("/api/v1/teams/424242"), 404, "team.not_found")


async def test_public_profiles_hide_members_who_are_not_approved(api: Api) -> None:
    approved, waiting = await seed(api, member(name="Alice"), member(status=MemberStatus.PENDING))
    response = await api.client.get(f"/api/v1/members/{approved.id}")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Alice"
    assert "email" not in body and "student_number" not in body
    assert_problem(await api.client.get(f"/api/v1/members/{waiting.id}"), 404, "member.not_found")


async def test_bad_paths_and_methods_get_problem_json(api: Api) -> None:
    assert_problem(await api.client.get("/api/v1/nowhere"), 404, "request.not_found")
    assert_problem(await api.client.get("/api/v1/teams/abc"), 404, "request.not_found")
    for bad_id in ("0", "-1", "2147483648", "99999999999999999999999"):
        problem = assert_problem(
            await api.client.get(f"/api/v1/teams/{bad_id}"), 400, "request.invalid"
        )
        assert problem["errors"]
    wrong = await api.client.post("/api/v1/catalog", json={})
    assert_problem(wrong, 405, "request.method_not_allowed")
    assert "GET" in wrong.headers.get("allow", "")


async def test_detail_is_korean_unless_english_is_preferred(api: Api) -> None:
    korean = assert_problem(await api.client.get("/api/v1/teams/7"), 404, "team.not_found")
    assert korean["detail"] == "팀을 찾을 수 없습니다."
    for header in ("en", "en-US,en;q=0.9,ko;q=0.8", "ko;q=0.5, en"):
        english = await api.client.get("/api/v1/teams/7", headers={"Accept-Language": header})
        assert english.json()["detail"] == "No such team.", header
    for header in ("ko-KR,ko;q=0.9,en;q=0.8", "fr", "en;q=0.1, ko"):
        other = await api.client.get("/api/v1/teams/7", headers={"Accept-Language": header})
        assert other.json()["detail"] == "팀을 찾을 수 없습니다.", header


async def test_openapi_and_swagger_ui_are_served_offline(api: Api) -> None:
    spec = await api.client.get("/schema/openapi.json")
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    assert {"/api/v1/catalog", "/api/v1/teams/{team_id}", "/healthz", "/readyz"} <= paths.keys()
    page = await api.client.get("/schema/swagger")
    assert page.status_code == 200 and "/static/swagger/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower()
    asset = await api.client.get("/static/swagger/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.content) > 100_000


async def test_korean_text_round_trips_through_the_database(api: Api) -> None:
    (leader,) = await seed(api, member(name="홍길동"))
    (emoji,) = await seed_teams(api, team(leader.id, title="게임 🎮 만들기"))
    body = (await api.client.get(f"/api/v1/teams/{emoji.id}")).json()
    assert body["title"] == "게임 🎮 만들기" and body["leader"]["name"] == "홍길동"


async def test_a_database_that_is_down_gives_503_not_500() -> None:
    from tests.integration.http.conftest import free_port

    dead = f"mysql+aiomysql://root@127.0.0.1:{free_port()}/nothing"
    app = create_app(Settings.from_env({"WAP_DATABASE_URL": dead, "WAP_SECRET_KEY": SECRET}))
    async with serving(app) as base_url, httpx.AsyncClient(base_url=base_url) as client:
        ready = await client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["checks"] == {"database": False}
        assert (await client.get("/healthz")).status_code == 200
        assert_problem(await client.get("/api/v1/teams/1"), 503, "service.unavailable")


class Exploding(GetCatalog):
    async def __call__(self):  # type: ignore[no-untyped-def]
        raise RuntimeError("secret internals /etc/passwd")


class ExplodingProvider(Provider):
    scope = Scope.REQUEST
    catalog = provide(Exploding, provides=GetCatalog, override=True)


async def test_an_unexpected_error_is_a_500_problem_without_internals(sqlite_url: str) -> None:
    settings = Settings.from_env({"WAP_DATABASE_URL": sqlite_url, "WAP_SECRET_KEY": SECRET})
    app = create_app(settings, ExplodingProvider())
    async with serving(app) as base_url, httpx.AsyncClient(base_url=base_url) as client:
        response = await client.get("/api/v1/catalog")
    body = assert_problem(response, 500, "internal")
    assert "passwd" not in response.text and "RuntimeError" not in response.text
    assert body["detail"] == "서버 내부 오류가 발생했습니다."


async def test_demo_sign_in_does_not_exist_when_a_github_app_is_configured(
    sqlite_url: str,
) -> None:
    settings = Settings.from_env(
        {
            "WAP_DATABASE_URL": sqlite_url,
            "WAP_SECRET_KEY": SECRET,
            "WAP_GITHUB_CLIENT_ID": "id",
            "WAP_GITHUB_CLIENT_SECRET": "secret",
        }
    )
    async with (
        serving(create_app(settings)) as base_url,
        httpx.AsyncClient(base_url=base_url) as client,
    ):
        assert (await client.get("/demo")).status_code == 404
        assert (await client.post("/demo", data={"member_id": "1"})).status_code == 404
        login = await client.get("/login")
        assert login.status_code == 200 and "/demo" not in login.text


async def test_auth_routes_are_rate_limited_per_address(sqlite_url: str) -> None:
    settings = Settings.from_env(
        {
            "WAP_DATABASE_URL": sqlite_url,
            "WAP_SECRET_KEY": SECRET,
            "WAP_AUTH_RATE_LIMIT": "5/minute",
        }
    )
    async with (
        serving(create_app(settings)) as base_url,
        httpx.AsyncClient(base_url=base_url) as client,
    ):
        statuses = [
            (await client.post("/api/v1/auth/refresh", json={"refresh_token": "x"})).status_code
            for _ in range(5)
        ]
        assert statuses == [401] * 5
        limited = await client.post("/api/v1/auth/refresh", json={"refresh_token": "x"})
        assert_problem(limited, 429, "rate.limited")
        assert_problem(await client.get("/api/v1/auth/github/login"), 429, "rate.limited")
        # Other routes are not limited by it.
        assert (await client.get("/api/v1/catalog")).status_code == 200


async def test_security_headers_and_cors(
    sqlite_url: str, migrated_engines: dict[str, AsyncEngine]
) -> None:
    await migrated_engine("sqlite", sqlite_url, migrated_engines)
    settings = Settings.from_env(
        {
            "WAP_DATABASE_URL": sqlite_url,
            "WAP_SECRET_KEY": SECRET,
            "WAP_CORS_ORIGINS": "https://wap.example.org",
            "WAP_COOKIE_SECURE": "true",
        }
    )
    async with (
        serving(create_app(settings)) as base_url,
        httpx.AsyncClient(base_url=base_url) as client,
    ):
        api = await client.get("/api/v1/catalog")
        assert api.headers["x-content-type-options"] == "nosniff"
        assert api.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert api.headers["strict-transport-security"].startswith("max-age=")
        page = await client.get("/")
        policy = page.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "content-security-policy" not in (await client.get("/schema/swagger")).headers
        allowed = await client.options(
            "/api/v1/catalog",
            headers={"Origin": "https://wap.example.org", "Access-Control-Request-Method": "GET"},
        )
        assert allowed.headers.get("access-control-allow-origin") == "https://wap.example.org"
        other = await client.get("/api/v1/catalog", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
