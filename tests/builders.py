"""Small builders for valid domain objects, so tests say only what matters to them."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from wap.domain.catalog import Category, Genre, Position
from wap.domain.members import GitHubIdentity, Member, MemberStatus, Name, Role, StudentNumber
from wap.domain.teams import Capacity, Description, SlotSpec, Team, TeamStatus, Title
from wap.domain.values import Links

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
_serial = itertools.count(1)


def member(
    *,
    status: MemberStatus = MemberStatus.APPROVED,
    role: Role = Role.MEMBER,
    name: str = "김와프",
    login: str | None = None,
) -> Member:
    n = next(_serial)
    built = Member.signed_in(
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
) -> Team:
    built = Team.open(
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
