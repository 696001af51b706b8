"""The authorization matrix: every endpoint × every kind of caller, exact status and code.

The table is ``authorization.md`` beside this file; this test only reads it. Cells run
against a scene (people, a recruiting team with a member and a pending application, a
pending team) built over the API. Reading rows share a scene; a call that succeeds in
changing something ends its scene (for the next row, or, if it touched what others share,
for the next caller), so no cell sees another cell's write."""

from __future__ import annotations

import asyncio
import io
import itertools
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from PIL import Image

from tests.integration.http.conftest import Account, World
from tests.integration.http.fakes import GitHubUser
from wap.domain.members import MemberStatus
from wap.entrypoints.http.app import create_app

TABLE = Path(__file__).with_name("authorization.md")
CALLERS = (
    "anonymous",
    "registering",
    "pending",
    "approved",
    "applicant",
    "member",
    "leader",
    "officer",
    "deleted",
)
PROBLEM = "application/problem+json"
_ids = itertools.count(70_000)


@dataclass(frozen=True)
class Expected:
    status: int
    code: str | None

    @classmethod
    def parse(cls, cell: str) -> Expected:
        status, _, code = cell.strip().partition(" ")
        return cls(int(status), code.strip() or None)

    def __str__(self) -> str:
        return f"{self.status} {self.code}" if self.code else str(self.status)


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    cells: dict[str, Expected]

    @property
    def request(self) -> str:
        return f"{self.method} {self.path}"


def read_table() -> list[Row]:
    """Every line of the table that is not its header or rule must be a well-formed row."""
    rows = []
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|") or line.startswith(("| request |", "|---")):
            continue
        parts = [part.strip() for part in line.strip().strip("|").split("|")]
        assert re.fullmatch(r"(GET|POST|PUT|PATCH|DELETE) /\S*", parts[0]), f"bad row: {line}"
        assert len(parts) == 1 + len(CALLERS), f"{parts[0]}: {len(parts) - 1} cells"
        method, path = parts[0].split(" ")
        cells = dict(zip(CALLERS, map(Expected.parse, parts[1:]), strict=True))
        rows.append(Row(method, path, cells))
    requests = [row.request for row in rows]
    assert len(requests) == len(set(requests)), "a request has two rows"
    return rows


def route_shape(path: str) -> str:
    """``/teams/{team_id:int}`` and ``/teams/{pending_team}`` both become ``/teams/{}``;
    the three CSV exports are one route, ``/exports/{name:str}``."""
    return re.sub(r"\{[^}]*\}|[a-z]+\.csv$", "{}", path)


def test_every_route_of_the_api_has_a_row_and_every_row_a_route() -> None:
    app = create_app_for_listing()
    served = {
        (method, route_shape(route.path))
        for route in app.routes
        for method in getattr(route, "methods", ())
        if method not in {"HEAD", "OPTIONS"}
        and (route.path.startswith("/api/") or route.path in {"/healthz", "/readyz"})
    }
    listed = {(row.method, route_shape(row.path)) for row in read_table()}
    assert served - listed == set(), "routes without a row in authorization.md"
    assert listed - served == set(), "rows of authorization.md that no route serves"


def test_every_refusal_in_the_table_names_a_code_of_the_spec() -> None:
    """Codes and statuses as in the problem table, which ``unit/test_problem_codes.py`` holds
    to SPEC §2."""
    from wap.entrypoints.http.problems import PROBLEMS

    for row in read_table():
        for caller, expected in row.cells.items():
            if expected.status >= 400:
                assert expected.code in PROBLEMS, (row.request, caller)
                assert PROBLEMS[expected.code].status == expected.status, (row.request, caller)
            else:
                assert expected.code is None, (row.request, caller)


def create_app_for_listing() -> Any:
    from wap.entrypoints.config import Settings

    return create_app(Settings.from_env({"WAP_SECRET_KEY": "listing-" + "x" * 40}))


# -- the scene --------------------------------------------------------------------------


@dataclass
class Scene:
    people: dict[str, Account]
    team: int
    pending_team: int
    application: int
    round: int  # the term's open matching round, with {team} opted in
    titles: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def placeholders(self) -> dict[str, int]:
        return {
            "team": self.team,
            "pending_team": self.pending_team,
            "application": self.application,
            "round": self.round,
            "member": self.people["member"].id,
            "pending": self.people["pending"].id,
            "approved": self.people["approved"].id,
        }


async def call_ok(world: World, method: str, url: str, who: Account, **kwargs: Any) -> Any:
    response = await world.client.request(method, url, headers=bearer(who), **kwargs)
    assert response.status_code < 300, f"{method} {url}: {response.text}"
    return response.json() if response.content else None


def team_body(title: str) -> dict[str, Any]:
    return {
        "title": title,
        "genre": "웹",
        "description": "권한 표를 확인하는 팀입니다.",
        "slots": [{"category": "웹", "capacity": 2}, {"category": "UI/UX 디자인", "capacity": 1}],
    }


async def build_scene(world: World) -> Scene:
    approved = MemberStatus.APPROVED
    kinds: dict[str, tuple[MemberStatus | None, bool]] = {
        "registering": (None, False),
        "pending": (MemberStatus.PENDING, False),
        "approved": (approved, False),
        "applicant": (approved, False),
        "member": (approved, False),
        "leader": (approved, False),
        "officer": (approved, True),
        "deleted": (approved, False),
    }
    made = await asyncio.gather(*(world.account(status=s, officer=o) for s, o in kinds.values()))
    people = dict(zip(kinds, made, strict=True))
    leader, officer = people["leader"], people["officer"]
    stamp = people["leader"].id
    team = await call_ok(world, "POST", "/api/v1/teams", leader, json=team_body(f"팀 {stamp}"))
    done = await call_ok(
        world, "POST", "/api/v1/admin/teams/approve", officer, json={"ids": [team["id"]]}
    )
    assert done["done"] == [team["id"]]
    apply = f"/api/v1/teams/{team['id']}/applications"
    joining = await call_ok(world, "POST", apply, people["member"], json={"category": "웹"})
    await call_ok(world, "POST", f"{apply}/{joining['id']}/accept", leader)
    waiting = await call_ok(world, "POST", apply, people["applicant"], json={"category": "웹"})
    hidden = await call_ok(
        world, "POST", "/api/v1/teams", leader, json=team_body(f"대기 팀 {stamp}")
    )
    expelled = await call_ok(
        world, "POST", "/api/v1/admin/members/expel", officer, json={"ids": [people["deleted"].id]}
    )
    assert expelled["done"] == [people["deleted"].id]
    round_id = await open_round(world, officer)
    await call_ok(world, "PUT", f"/api/v1/rounds/{round_id}/teams/{team['id']}", leader)
    return Scene(people, team["id"], hidden["id"], waiting["id"], round_id)


def round_deadline() -> str:
    return (datetime.now(UTC) + timedelta(days=1)).isoformat()


async def open_round(world: World, officer: Account) -> int:
    """The term's open round: the one there is, or (after a row closed it) a new one, once
    the closed one is published (a term has one unpublished round at most)."""
    current = await world.client.get("/api/v1/rounds/current")
    if current.status_code == 200 and current.json()["state"] == "open":
        return int(current.json()["id"])
    if current.status_code == 200 and current.json()["state"] == "closed":
        await call_ok(world, "POST", f"/api/v1/rounds/{current.json()['id']}/publish", officer)
    opened = await call_ok(
        world, "POST", "/api/v1/rounds", officer, json={"deadline": round_deadline()}
    )
    return int(opened["id"])


def bearer(who: Account | None) -> dict[str, str]:
    return who.auth if who else {}


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


# -- what each request sends --------------------------------------------------------------

Prepare = Callable[[World, Scene, Account | None], Awaitable[dict[str, Any]]]


async def github_token(world: World, scene: Scene, who: Account | None) -> dict[str, Any]:
    newcomer = GitHubUser(next(_ids), f"newcomer{next(_ids)}")
    return {"json": {"code": world.github.issue_code(newcomer)}}


async def github_callback(world: World, scene: Scene, who: Account | None) -> dict[str, Any]:
    """A real round trip: our login sets the state cookie, the fake GitHub sends a code back."""
    world.github.next_user = GitHubUser(next(_ids), f"browser{next(_ids)}")
    async with httpx.AsyncClient(base_url=str(world.client.base_url)) as browser:
        start = await browser.get("/api/v1/auth/github/login")
        back = await browser.get(start.headers["location"])
        query = parse_qs(urlsplit(back.headers["location"]).query)
        return {
            "params": {"code": query["code"][0], "state": query["state"][0]},
            "cookies": dict(browser.cookies),
        }


async def refresh(world: World, scene: Scene, who: Account | None) -> dict[str, Any]:
    return {"json": {"refresh_token": who.refresh if who else "not-a-refresh-token"}}


async def email_code(world: World, scene: Scene, who: Account | None) -> dict[str, Any]:
    address = who.email if who else "nobody@pukyong.ac.kr"
    return {"json": {"email": address}}


async def registration(world: World, scene: Scene, who: Account | None) -> dict[str, Any]:
    code = "ABC234"
    if who is scene.people["registering"]:
        asked = await world.client.post(
            "/api/v1/auth/email-codes", json={"email": who.email}, headers=bearer(who)
        )
        assert asked.status_code == 202, asked.text
        code = await world.mailed_code(who.email)
    github_id = who.github.id if who else next(_ids)
    return {
        "json": {
            "name": "새회원",
            "student_number": f"{github_id:09d}",
            "position": "백엔드",
            "email": who.email if who else "nobody@pukyong.ac.kr",
            "email_code": code,
        }
    }


def sends(**kwargs: Any) -> Prepare:
    async def prepare(world: World, scene: Scene, who: Account | None) -> dict[str, Any]:
        return {k: v(scene) if callable(v) else v for k, v in kwargs.items()}

    return prepare


def new_team(scene: Scene) -> dict[str, Any]:
    return team_body(f"새 팀 {scene.team}-{next(scene.titles)}")


IMAGE = sends(files=lambda _: {"image": ("picture.png", png(), "image/png")})
BODIES: dict[str, Prepare] = {
    "POST /api/v1/auth/github/token": github_token,
    "GET /api/v1/auth/github/callback": github_callback,
    "POST /api/v1/auth/refresh": refresh,
    "POST /api/v1/auth/email-codes": email_code,
    "POST /api/v1/members/me/registration": registration,
    "PATCH /api/v1/members/me": sends(json={"bio": "권한 표의 한 칸"}),
    "PUT /api/v1/members/me/avatar": IMAGE,
    "POST /api/v1/teams": sends(json=new_team),
    "PATCH /api/v1/teams/{team}": sends(json={"description": "설명을 고쳤습니다."}),
    "PUT /api/v1/teams/{team}/image": IMAGE,
    "POST /api/v1/teams/{team}/leader": sends(json=lambda s: {"member_id": s.people["member"].id}),
    "POST /api/v1/teams/{team}/applications": sends(json={"category": "웹"}),
    "POST /api/v1/notifications/read": sends(json={}),
    "POST /api/v1/admin/members/approve": sends(json=lambda s: {"ids": [s.people["pending"].id]}),
    "POST /api/v1/admin/members/reject": sends(json=lambda s: {"ids": [s.people["pending"].id]}),
    "POST /api/v1/admin/members/expel": sends(json=lambda s: {"ids": [s.people["approved"].id]}),
    "POST /api/v1/admin/members/{approved}/role": sends(json={"role": "officer"}),
    "POST /api/v1/admin/teams/approve": sends(json=lambda s: {"ids": [s.pending_team]}),
    "POST /api/v1/admin/teams/reject": sends(json=lambda s: {"ids": [s.pending_team]}),
    "POST /api/v1/rounds": sends(json=lambda _: {"deadline": round_deadline()}),
    "PUT /api/v1/rounds/{round}/choices/me": sends(
        json=lambda s: {"choices": [{"team_id": s.team, "category": "웹"}]}
    ),
    "PUT /api/v1/rounds/{round}/teams/{team}/ranking": sends(json={"member_ids": []}),
    "POST /api/v1/rounds/{round}/adjustments": sends(
        json=lambda s: {
            "member_id": s.people["approved"].id,
            "team_id": s.team,
            "category": "웹",
            "action": "pin",
        }
    ),
}


# Rows whose successful calls change only the caller's own things (their session, profile,
# likes, inbox, applications, new teams): the callers of such a row can share one scene.
OWN_THINGS_ONLY = {
    "POST /api/v1/auth/github/token",
    "POST /api/v1/auth/refresh",
    "POST /api/v1/auth/logout",
    "POST /api/v1/auth/email-codes",
    "PATCH /api/v1/members/me",
    "PUT /api/v1/members/me/avatar",
    "POST /api/v1/teams",
    "POST /api/v1/teams/{team}/applications",
    "PUT /api/v1/teams/{team}/like",
    "DELETE /api/v1/teams/{team}/like",
    "POST /api/v1/notifications/read",
    "PUT /api/v1/rounds/{round}/choices/me",
}


def test_every_body_belongs_to_a_row() -> None:
    assert BODIES.keys() | OWN_THINGS_ONLY <= {row.request for row in read_table()}


# Who may call does not depend on the database: the matrix runs on MariaDB.
@pytest.mark.parametrize("backend", ["mysql"])
async def test_the_authorization_matrix(world: World) -> None:
    mismatches: list[str] = []
    async with httpx.AsyncClient(base_url=str(world.client.base_url), timeout=30) as client:
        scene: Scene | None = None
        for row in read_table():
            touched = False
            prepare = BODIES.get(row.request, sends())
            for caller in CALLERS:
                scene = scene or await build_scene(world)
                who = scene.people.get(caller)
                kwargs = await prepare(world, scene, who)
                client.cookies = httpx.Cookies(kwargs.pop("cookies", None))
                response = await client.request(
                    row.method,
                    row.path.format(**scene.placeholders()),
                    headers=bearer(who),
                    **kwargs,
                )
                got = Expected(
                    response.status_code,
                    response.json().get("code")
                    if response.headers.get("content-type", "").startswith(PROBLEM)
                    else None,
                )
                if got != row.cells[caller]:
                    mismatches.append(
                        f"{row.request} as {caller}: expected {row.cells[caller]}, got {got}"
                        + (f" ({response.text[:160]})" if got.status >= 400 else "")
                    )
                if row.method != "GET" and response.status_code < 300:
                    touched = True
                    if row.request not in OWN_THINGS_ONLY:
                        scene = None  # the next caller gets a scene this call has not touched
            if touched:
                scene = None  # reads share a scene; a row that wrote leaves none behind
    assert mismatches == [], "\n".join(mismatches)
