"""Sample club data for trying the service locally (`wap demo-seed`), and signing in as one
of its members without GitHub (only where the web layer allows it: see entrypoints/web)."""

from __future__ import annotations

from datetime import timedelta

import msgspec

from wap.application.auth.sessions import SessionIssuer, TokenPair
from wap.application.members.ports import MemberRepository
from wap.application.members.read_models import MemberSummary
from wap.application.ports import Clock, UnitOfWork
from wap.application.teams.ports import LikeRepository, TeamRepository
from wap.domain.catalog import Category, Genre, Position
from wap.domain.errors import MemberNotFound
from wap.domain.members import (
    Bio,
    GitHubIdentity,
    Member,
    MemberStatus,
    Name,
    NewMember,
    Role,
    StudentNumber,
    TechStack,
)
from wap.domain.teams import Description, NewTeam, TeamStatus, Title, slot_specs
from wap.domain.values import Links

# Demo members have negative GitHub ids: no real GitHub account has one.
PEOPLE = [
    (
        -1,
        "demo-officer",
        "김운영",
        "201900001",
        Position.BACKEND,
        Role.OFFICER,
        ["Python", "MySQL"],
    ),
    (
        -2,
        "demo-leader",
        "이리더",
        "202000002",
        Position.FRONTEND,
        Role.MEMBER,
        ["React", "TypeScript"],
    ),
    (-3, "demo-member", "박멤버", "202100003", Position.AI, Role.MEMBER, ["PyTorch"]),
    (-4, "demo-designer", "최디자", "202200004", Position.DESIGNER, Role.MEMBER, ["Figma"]),
    (-5, "demo-newbie", "정새내", "202300005", Position.BACKEND, Role.MEMBER, ["Java"]),
]
# Signed in with GitHub but not signed up yet: for trying the sign-up form.
NEWCOMER = (-6, "demo-newcomer")
TEAMS = [
    (
        "WAP 동아리 게시판",
        Genre.WEB,
        "동아리 공지와 스터디를 한곳에서.",
        {"웹": 2, "UI/UX 디자인": 1},
    ),
    (
        "캠퍼스 맛집 지도",
        Genre.APP,
        "학교 근처 맛집을 지도로 모읍니다.",
        {"안드로이드": 1, "IOS": 1},
    ),
    ("픽셀 던전", Genre.GAME, "로그라이크 던전 탐험 게임.", {"유니티": 2, "게임 그래픽 디자인": 1}),
]


class DemoResult(msgspec.Struct, frozen=True):
    members: int
    teams: int


class SeedDemo:
    """Idempotent: run it twice and the club is the same."""

    def __init__(
        self,
        members: MemberRepository,
        teams: TeamRepository,
        likes: LikeRepository,
        uow: UnitOfWork,
        clock: Clock,
    ) -> None:
        self._members, self._teams, self._likes = members, teams, likes
        self._uow, self._clock = uow, clock

    async def __call__(self) -> DemoResult:
        now = self._clock.now()
        people: list[Member] = []
        for github_id, login, name, number, position, role, stack in PEOPLE:
            person, created = await self._members.get_or_add(
                NewMember.signed_in(GitHubIdentity(github_id, login), now)
            )
            if created:
                person.register(
                    name=Name(name),
                    student_number=StudentNumber(number),
                    position=position,
                    email=f"{login}@wap.example",
                    as_officer=role is Role.OFFICER,
                )
                person.status = MemberStatus.APPROVED
                person.bio = Bio(f"{name}입니다. 잘 부탁드립니다!")
                person.tech_stack = TechStack.of(stack)
                person.notify_email = False
                await self._members.save(person)
            people.append(person)
        await self._members.get_or_add(
            NewMember.signed_in(GitHubIdentity(NEWCOMER[0], NEWCOMER[1]), now)
        )
        leader, member, designer = people[1], people[2], people[3]
        made = 0
        for index, (title, genre, text, slots) in enumerate(TEAMS):
            wanted = Title.of(title)
            if await self._teams.title_owner(wanted.key) is not None:
                continue
            new = NewTeam.open(
                leader_id=leader.id,
                title=wanted,
                genre=genre,
                description=Description(text),
                slots=slot_specs(slots.items()),
                links=Links.of(["https://github.com/wap"]),
                now=now - timedelta(hours=3 - index),
            )
            new.status = TeamStatus.RECRUITING
            team = await self._teams.add(new)
            if index == 0:
                await self._teams.take_place(team.id, member.id, Category.WEB, now)
                await self._likes.like(team.id, designer.id, now)
            made += 1
        await self._uow.commit()
        return DemoResult(len(people) + 1, made)


class DemoAccount(msgspec.Struct, frozen=True):
    member: MemberSummary
    role: str


class ListDemoAccounts:
    def __init__(self, members: MemberRepository) -> None:
        self._members = members

    async def __call__(self) -> list[DemoAccount]:
        found = []
        for github_id in [p[0] for p in PEOPLE] + [NEWCOMER[0]]:
            person = await self._members.get_by_github_id(github_id)
            if person is not None:
                found.append(DemoAccount(MemberSummary.of(person), person.role.value))
        return found


class DemoSignIn:
    """A session for a demo member (negative GitHub id), never for a real one."""

    def __init__(self, members: MemberRepository, issuer: SessionIssuer) -> None:
        self._members, self._issuer = members, issuer

    async def __call__(self, member_id: int) -> TokenPair:
        person = await self._members.get(member_id)
        if person is None or person.github_id >= 0:
            raise MemberNotFound()
        return await self._issuer.start(member_id)
