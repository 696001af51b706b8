"""Small builders for valid domain objects and commands, so tests say only what matters."""

from __future__ import annotations

import io
import itertools
from datetime import UTC, datetime
from typing import Any

from PIL import Image

from wap.application.auth.sign_up import Registration
from wap.application.teams.manage import SlotRequest, TeamDraft
from wap.application.teams.read_models import MemberSummary, SlotView, TeamDetail
from wap.domain.catalog import Category, Genre, Position
from wap.domain.members import (
    Actor,
    GitHubIdentity,
    Member,
    MemberStatus,
    Name,
    NewMember,
    Role,
    StudentNumber,
)
from wap.domain.teams import Capacity, Description, NewTeam, SlotSpec, TeamStatus, Title
from wap.domain.values import Links

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
OCTOCAT = GitHubIdentity(583231, "octocat", "The Octocat", "https://avatars.test/1", None)
_serial = itertools.count(1)


def member(
    *,
    status: MemberStatus = MemberStatus.APPROVED,
    role: Role = Role.MEMBER,
    name: str = "김와프",
    login: str | None = None,
) -> NewMember:
    n = next(_serial)
    built = NewMember.signed_in(
        GitHubIdentity(github_id=10_000 + n, login=login or f"user{n}", avatar_url=None), NOW
    )
    if status is not MemberStatus.REGISTERING:
        built.register(
            name=Name(name),
            student_number=StudentNumber(f"2026{n:05d}"),
            position=Position.BACKEND,
            email=f"user{n}@pukyong.ac.kr",
            as_officer=False,
        )
        built.status, built.role = status, role
    return built


def team(
    leader_id: int,
    *,
    title: str | None = None,
    status: TeamStatus = TeamStatus.RECRUITING,
    slots: dict[Category, int] | None = None,
) -> NewTeam:
    built = NewTeam.open(
        leader_id=leader_id,
        title=Title.of(title or f"팀 {next(_serial)}"),
        genre=Genre.WEB,
        description=Description("함께 만들 사람을 찾습니다."),
        slots=tuple(SlotSpec(c, Capacity(n)) for c, n in (slots or {Category.WEB: 2}).items()),
        links=Links(("https://github.com/wap",)),
        now=NOW,
    )
    built.status = status
    return built


def ids(*people: Member) -> tuple[int, ...]:
    return tuple(p.id for p in people)


def as_officer(person: Member) -> Actor:
    """The person as an approved officer, whatever the store says (a stale token's view)."""
    return Actor(person.id, Role.OFFICER, MemberStatus.APPROVED)


def new_team(actor: Actor, **overrides: Any) -> TeamDraft:
    values: dict[str, Any] = {
        "actor": actor,
        "title": "WAP 게시판",
        "genre": "웹",
        "description": "동아리 게시판을 만듭니다.",
        "slots": (SlotRequest("웹", 2), SlotRequest("UI/UX 디자인", 1)),
        "links": ("https://github.com/wap/board",),
    }
    values.update(overrides)
    return TeamDraft(**values)


def registration(actor: Actor, code: str, **overrides: str) -> Registration:
    values = {
        "name": "김와프",
        "student_number": "202612345",
        "position": "백엔드",
        "email": "octo@pukyong.ac.kr",
        "email_code": code,
    }
    values.update(overrides)
    return Registration(actor=actor, **values)


def png(width: int = 640, height: int = 480) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def team_page(team_id: int, status: TeamStatus = TeamStatus.RECRUITING) -> TeamDetail:
    """A team's page as the cache keeps it (its title has quotes and a status word in it)."""
    return TeamDetail(
        id=team_id,
        title='A "quoted" title: status pending',
        genre="웹",
        description="About the team",
        links=["https://example.com"],
        image_url=None,
        image_thumbnail_url=None,
        leader_id=1,
        leader=MemberSummary(1, "leader", "리더", None),
        status=status.value,
        term="2026-2",
        recruit_until=None,
        slots=[SlotView("웹", 2, 1)],
        like_count=3,
        view_count=40,
        created_at=NOW,
        updated_at=NOW,
    )
