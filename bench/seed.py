"""Seed a migrated database with a club at the original service's scale, or N times it.

    WAP_DATABASE_URL=mysql+aiomysql://root@127.0.0.1:3306/wap_bench .venv/bin/wap migrate
    WAP_DATABASE_URL=... .venv/bin/python bench/seed.py --scale 1 --out seed.json

Scale 1 is what the original Django service was measured with: 200 approved members and 100
recruiting teams of the current term, each with 2–4 slots, some of them filled by members,
pending, rejected and withdrawn applications, and likes.

The rows go in with bulk SQLAlchemy Core inserts, not through the HTTP API, but every one of
them is first built by the domain, the way the use cases build it: a member signs in, registers
and is approved, then edits the profile; a team is opened and approved; an application passes
``check_can_apply`` and is accepted (the slot is taken), rejected or withdrawn. The rows are
then made by the SQL adapters' own ``member_values``/``team_values``. So the service reads the
data back exactly as if it had been made through the API, and a rule the domain tightens later
stops the seeder instead of planting rows the service would refuse to read. It writes no
notifications and no audit log (the side records of those events): no benchmark reads them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, insert, inspect, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from wap.adapters.sql.engine import create_engine
from wap.adapters.sql.members import member_values
from wap.adapters.sql.tables import applications, likes, members, team_members, team_slots, teams
from wap.adapters.sql.teams import team_values
from wap.domain.applications import Message, NewApplication, check_can_apply
from wap.domain.catalog import Category, Genre, Position
from wap.domain.likes import ensure_can_like
from wap.domain.members import (
    Bio,
    GitHubIdentity,
    Language,
    Member,
    Name,
    NewMember,
    StudentNumber,
    TechStack,
)
from wap.domain.teams import Description, NewTeam, Team, TeamRole, Title, slot_specs
from wap.domain.terms import KST, Term
from wap.domain.values import Links

MEMBERS_PER_SCALE = 200
TEAMS_PER_SCALE = 100
# Seeded GitHub ids sit far above the ones tests and the demo use.
GITHUB_ID_BASE = 700_000_000
CHUNK = 1000

SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍전고문양손배백허남심노하곽성차주우구민진나"
GIVEN = "민서지현수준우예은도윤하진영재성훈태희승연정유주시아다혜원경동채소선규호"
LATIN_NAMES = ["Alex", "Jamie", "Sora", "Daniel", "Mina", "Ethan", "Yuna", "Chris", "Hana"]
STACKS: dict[Position, list[str]] = {
    Position.BACKEND: [
        "Python", "Django", "FastAPI", "Litestar", "Java", "Spring Boot", "Kotlin", "Go",
        "Node.js", "NestJS", "MySQL", "PostgreSQL", "Redis", "Docker", "AWS", "Kafka",
    ],
    Position.FRONTEND: [
        "TypeScript", "JavaScript", "React", "Next.js", "Vue", "Svelte", "Tailwind CSS",
        "Redux", "Vite", "Flutter", "Swift", "Kotlin", "React Native", "Storybook",
    ],
    Position.AI: [
        "Python", "PyTorch", "TensorFlow", "scikit-learn", "pandas", "NumPy", "Hugging Face",
        "OpenCV", "LangChain", "CUDA", "Jupyter", "MLflow", "Spark",
    ],
    Position.DESIGNER: [
        "Figma", "Photoshop", "Illustrator", "After Effects", "Blender", "Procreate",
        "Adobe XD", "Spline", "Aseprite", "Principle",
    ],
}  # fmt: skip
BIOS = [
    "열심히 하겠습니다!",
    "사용자가 편한 서비스를 만들고 싶습니다.",
    "이번 학기에는 끝까지 완성하는 프로젝트를 해 보고 싶어요.",
    "코드 리뷰와 문서화를 좋아합니다. 같이 성장해요!",
    "해커톤 경험이 있고, 빠르게 프로토타입을 만드는 걸 즐깁니다.",
    "디자인과 개발 사이의 간격을 줄이는 일에 관심이 많습니다.",
    "게임 잼에 세 번 참여했습니다. 재미있는 걸 만들어요.",
    "데이터로 문제를 푸는 것을 좋아합니다.",
]
TITLE_HEADS = ["캠퍼스", "동아리", "스터디", "부경", "밤샘", "오늘의", "우리", "새내기", "모두의"]
TITLE_TAILS: dict[Genre, list[str]] = {
    Genre.WEB: ["게시판", "맛집 지도", "중고 장터", "시간표", "스터디 매칭", "포트폴리오"],
    Genre.APP: ["가계부 앱", "습관 트래커", "셔틀 알리미", "식단 앱", "러닝 크루", "메모 앱"],
    Genre.GAME: ["픽셀 던전", "리듬 게임", "퍼즐 탈출", "카드 배틀", "레이싱", "방치형 RPG"],
}
SLOT_CHOICES: dict[Genre, list[Category]] = {
    Genre.WEB: [
        Category.WEB, Category.NODE, Category.PYTHON, Category.JAVA, Category.UIUX_DESIGN,
        Category.UIUX_PLANNING, Category.PROJECT_MANAGER, Category.DATA_ENGINEER,
    ],
    Genre.APP: [
        Category.IOS, Category.ANDROID, Category.CROSS_PLATFORM, Category.NODE,
        Category.UIUX_DESIGN, Category.UIUX_PLANNING, Category.MACHINE_LEARNING,
    ],
    Genre.GAME: [
        Category.UNITY, Category.UNREAL, Category.GAME_PLANNING, Category.GAME_GRAPHIC_DESIGN,
        Category.CONTENT_PLANNING, Category.DEEP_LEARNING,
    ],
}  # fmt: skip
SENTENCES = [
    "한 학기 동안 실제로 쓰이는 서비스를 만들어 배포하는 것이 목표입니다.",
    "매주 목요일 저녁에 동아리방에서 만나 진행 상황을 공유합니다.",
    "기획부터 디자인, 개발, 출시까지 함께할 팀원을 찾고 있어요.",
    "처음 해 보는 기술이어도 괜찮습니다. 같이 공부하면서 만들어요.",
    "코드 리뷰는 GitHub Pull Request로 하고, 일정은 노션으로 관리합니다.",
    "학기 말 전시회에서 시연하는 것을 목표로 하고 있습니다.",
    "사용자 인터뷰를 해서 실제로 필요한 기능부터 만들 계획입니다.",
    "지난 학기에 만든 프로토타입을 이어서 완성하려고 합니다.",
    "팀원 모두가 한 가지 이상 핵심 기능을 맡아서 끝까지 책임집니다.",
    "성실하게 참여할 수 있는 분이라면 누구나 환영합니다!",
]
MESSAGES = [
    "열심히 하겠습니다!",
    "관련 프로젝트 경험이 있습니다. 꼭 함께하고 싶어요.",
    "이번 학기에 시간을 많이 낼 수 있습니다.",
    "배우면서 끝까지 참여하겠습니다.",
]


@dataclass(frozen=True)
class SeedSize:
    members: int
    teams: int

    @classmethod
    def at(cls, scale: float) -> SeedSize:
        """The original's club times ``scale`` (a fraction gives a smaller club, for tests)."""
        if scale <= 0:
            raise ValueError("the scale must be positive")
        return cls(
            members=max(8, round(MEMBERS_PER_SCALE * scale)),
            teams=max(2, round(TEAMS_PER_SCALE * scale)),
        )


@dataclass(frozen=True)
class SeededSlot:
    category: str
    capacity: int
    filled: int


@dataclass(frozen=True)
class SeededTeam:
    """What the service must show of a seeded team."""

    id: int
    title: str
    leader_id: int
    slots: tuple[SeededSlot, ...]
    member_ids: tuple[int, ...]  # the leader, then the members who hold a slot, as they joined
    like_count: int
    view_count: int
    pending_applications: int


@dataclass(frozen=True)
class SeedResult:
    member_ids: list[int]
    team_ids: list[int]
    term: str
    teams: dict[int, SeededTeam]
    rows: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return {
            "member_ids": self.member_ids,
            "team_ids": self.team_ids,
            "term": self.term,
            "rows": self.rows,
        }


@dataclass
class _Club:
    """The rows to insert, table by table, and what they mean."""

    members: list[dict[str, Any]] = field(default_factory=list)
    teams: list[dict[str, Any]] = field(default_factory=list)
    team_slots: list[dict[str, Any]] = field(default_factory=list)
    team_members: list[dict[str, Any]] = field(default_factory=list)
    applications: list[dict[str, Any]] = field(default_factory=list)
    likes: list[dict[str, Any]] = field(default_factory=list)
    seeded: dict[int, SeededTeam] = field(default_factory=dict)


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A moment in [start, end), to the microsecond (what the DATETIME(6) columns keep)."""
    span = max(int((end - start).total_seconds() * 1_000_000), 1)
    return start + timedelta(microseconds=rng.randrange(span))


def _korean_name(rng: random.Random) -> str:
    if rng.random() < 0.05:
        return rng.choice(LATIN_NAMES)
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2, 2, 2))))


def term_start(term: Term) -> datetime:
    """00:00 in Seoul on the first day of the term (1 March or 1 September)."""
    month = 3 if term.half == 1 else 9
    return datetime(term.year, month, 1, tzinfo=KST).astimezone(UTC)


def _student_number(year: int, member_id: int) -> str:
    """Unique by construction, the member id being part of it: the year of admission and the
    id (9 digits, 10 from id 100 000), or past a million members the id alone (10 digits)."""
    return f"{year}{member_id:05d}" if member_id < 1_000_000 else f"{member_id:010d}"


def _member(rng: random.Random, member_id: int, now: datetime) -> Member:
    """Signs in with GitHub, registers, is approved by an officer, then edits the profile."""
    github_id = GITHUB_ID_BASE + member_id
    login = f"wap-bench-{member_id}"
    signed_up = now - timedelta(days=rng.uniform(30, 700))
    person = NewMember.signed_in(
        GitHubIdentity(
            github_id,
            login,
            avatar_url=f"https://avatars.githubusercontent.com/u/{github_id}?v=4",
        ),
        signed_up,
    )
    year = rng.randint(2018, 2026)
    position = rng.choice(list(Position))
    officer = member_id % 50 == 1
    person.register(
        name=Name.of(_korean_name(rng)),
        student_number=StudentNumber.of(_student_number(year, member_id)),
        position=position,
        email=f"{login}@pukyong.ac.kr",
        as_officer=officer,
    )
    if not officer:
        person.approve()
    stack = rng.sample(STACKS[position], k=rng.randint(2, min(8, len(STACKS[position]))))
    links = [f"https://github.com/{login}"]
    if rng.random() < 0.5:
        links.append(f"https://{login}.tistory.com")
    if rng.random() < 0.2:
        links.append(f"https://www.linkedin.com/in/{login}")
    person.update_profile(
        bio=Bio(" ".join(rng.sample(BIOS, k=rng.randint(1, 3)))),
        tech_stack=TechStack.of(stack),
        links=Links.of(links),
        notify_email=rng.random() < 0.7,
        language=Language.EN if rng.random() < 0.1 else Language.KO,
    )
    return person.stored(member_id)


def _team(
    rng: random.Random, team_id: int, leader: Member, now: datetime, term: Term
) -> tuple[Team, datetime]:
    """Opened by its leader this term and approved by an officer; takes applications until a
    deadline weeks ahead (so no job closes it during a benchmark). Returns it and when it was
    approved."""
    genre = rng.choice(list(Genre))
    title = f"{rng.choice(TITLE_HEADS)} {rng.choice(TITLE_TAILS[genre])} {team_id}"
    categories = rng.sample(SLOT_CHOICES[genre], k=rng.randint(2, 4))
    opened_from = max(term_start(term), now - timedelta(days=25))
    opened = _between(rng, opened_from, now - (now - opened_from) / 4)
    team = NewTeam.open(
        leader_id=leader.id,
        title=Title.of(title),
        genre=genre,
        description=Description(" ".join(rng.sample(SENTENCES, k=rng.randint(3, 8)))),
        slots=slot_specs((category.value, rng.randint(1, 4)) for category in categories),
        links=Links.of([f"https://github.com/wap-bench/team-{team_id}"]),
        now=opened,
        term=term,
        recruit_until=now + timedelta(days=rng.randint(14, 60), hours=rng.randint(0, 23)),
    )
    approved = _between(rng, opened, opened + (now - opened) / 3)
    team.approve(approved)
    return team.stored(team_id), approved


def _applications(
    rng: random.Random,
    team: Team,
    approved: datetime,
    people: list[Member],
    now: datetime,
    club: _Club,
) -> tuple[list[int], int]:
    """Applicants apply (``check_can_apply`` decides, as the API's use case does); the leader
    accepts some (each takes a place in its slot), rejects some; some withdraw, some wait.
    Returns the members who joined, in the order they joined, and how many applications
    still wait."""
    joined: list[tuple[datetime, int]] = []
    pending = 0
    in_team = {team.leader_id}
    # Fill each slot part of the way, then leave a few more applications undecided.
    wanted = {c: rng.randint(0, s.capacity) for c, s in team.slots.items()}
    decisions = [("accepted", c) for c, n in wanted.items() for _ in range(n)]
    decisions += [("rejected", rng.choice(list(team.slots))) for _ in range(rng.randint(0, 2))]
    decisions += [("withdrawn", rng.choice(list(team.slots))) for _ in range(rng.randint(0, 1))]
    decisions += [("pending", rng.choice(list(team.slots))) for _ in range(rng.randint(0, 3))]
    rng.shuffle(decisions)
    candidates = [p for p in people if p.id not in in_team]
    rng.shuffle(candidates)
    applied_at = approved
    for (outcome, category), applicant in zip(decisions, candidates, strict=False):
        applied_at = _between(rng, applied_at, applied_at + (now - applied_at) / 4)
        if not team.slot(category).has_room:
            continue  # the API would refuse it (application.slot_full)
        check_can_apply(
            team,
            applicant.actor,
            category,
            is_member=applicant.id in in_team,
            has_pending=False,  # one application per candidate and team
            now=applied_at,
        )
        application = NewApplication.submit(
            team_id=team.id,
            member_id=applicant.id,
            category=category,
            message=Message.of(rng.choice(MESSAGES)),
            now=applied_at,
        )
        decided = _between(rng, applied_at, applied_at + (now - applied_at) / 4)
        if outcome == "accepted":
            team.ensure_takes_applications(decided)
            application.accept(decided)
            team.slot(category).take()
            in_team.add(applicant.id)
            joined.append((decided, applicant.id))
            club.team_members.append(
                {
                    "team_id": team.id,
                    "member_id": applicant.id,
                    "role": TeamRole.MEMBER.value,
                    "category": category.value,
                    "joined_at": decided,
                }
            )
        elif outcome == "rejected":
            application.reject(decided)
        elif outcome == "withdrawn":
            application.withdraw(decided)
        else:
            pending += 1
        club.applications.append(
            {
                "team_id": application.team_id,
                "member_id": application.member_id,
                "category": application.category.value,
                "message": application.message.value,
                "created_at": application.created_at,
                "status": application.status.value,
                # As SqlApplicationRepository: 1 while pending, NULL after.
                "pending_key": 1 if application.is_pending else None,
                "decided_at": application.decided_at,
            }
        )
    return [member_id for _, member_id in sorted(joined)], pending


def build_club(
    size: SeedSize,
    *,
    first_member_id: int,
    first_team_id: int,
    now: datetime,
    rng: random.Random,
) -> _Club:
    club = _Club()
    term = Term.at(now)
    people = [_member(rng, first_member_id + i, now) for i in range(size.members)]
    club.members = [member_values(p) | {"id": p.id} for p in people]
    for index in range(size.teams):
        team_id = first_team_id + index
        leader = people[index % len(people)]
        team, approved = _team(rng, team_id, leader, now, term)
        club.team_members.append(
            {
                "team_id": team_id,
                "member_id": team.leader_id,
                "role": TeamRole.LEADER.value,
                "category": None,
                "joined_at": team.created_at,
            }
        )
        joined, pending = _applications(rng, team, approved, people, now, club)
        # Approved members like the team at most once each; like_count is their number.
        likers = rng.sample(people, k=rng.randint(0, min(30, len(people))))
        for liker in likers:
            ensure_can_like(team, liker.actor)
            club.likes.append(
                {
                    "team_id": team_id,
                    "member_id": liker.id,
                    "created_at": _between(rng, approved, now),
                }
            )
        team.like_count = len(likers)
        team.view_count = rng.randint(0, 400)
        club.teams.append(
            team_values(team)
            | {"id": team_id, "like_count": team.like_count, "view_count": team.view_count}
        )
        slots = tuple(
            SeededSlot(s.category.value, s.capacity, s.filled) for s in team.slots.values()
        )
        club.team_slots += [
            {"team_id": team_id, "category": s.category, "capacity": s.capacity, "filled": s.filled}
            for s in slots
        ]
        club.seeded[team_id] = SeededTeam(
            id=team_id,
            title=team.title.value,
            leader_id=team.leader_id,
            slots=slots,
            member_ids=(team.leader_id, *joined),
            like_count=team.like_count,
            view_count=team.view_count,
            pending_applications=pending,
        )
    return club


async def _next_id(connection: AsyncConnection, table: Table) -> int:
    found = await connection.execute(select(func.coalesce(func.max(table.c.id), 0)))
    return int(found.scalar_one()) + 1


async def _insert(
    connection: AsyncConnection, table: Table, rows: Sequence[dict[str, Any]]
) -> None:
    for start in range(0, len(rows), CHUNK):
        await connection.execute(insert(table), list(rows[start : start + CHUNK]))


async def _ensure_migrated(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        names: Iterable[str] = await connection.run_sync(
            lambda sync: inspect(sync).get_table_names()
        )
    missing = {t.name for t in (members, teams, team_slots, team_members, applications, likes)}
    missing -= set(names)
    if missing:
        raise SystemExit(
            f"seed: the database lacks {', '.join(sorted(missing))}: run `wap migrate` first"
        )


async def seed(
    engine: AsyncEngine, size: SeedSize, *, rng_seed: int = 1, now: datetime | None = None
) -> SeedResult:
    """Add a club of ``size`` to a migrated database, in one transaction."""
    await _ensure_migrated(engine)
    now = now or datetime.now(UTC)
    async with engine.begin() as connection:
        # Explicit ids, after any rows already there: memberships and likes refer to them.
        club = build_club(
            size,
            first_member_id=await _next_id(connection, members),
            first_team_id=await _next_id(connection, teams),
            now=now,
            rng=random.Random(rng_seed),
        )
        for table, rows in (
            (members, club.members),
            (teams, club.teams),
            (team_slots, club.team_slots),
            (team_members, club.team_members),
            (applications, club.applications),
            (likes, club.likes),
        ):
            await _insert(connection, table, rows)
    return SeedResult(
        member_ids=[row["id"] for row in club.members],
        team_ids=[row["id"] for row in club.teams],
        term=str(Term.at(now)),
        teams=club.seeded,
        rows={
            "members": len(club.members),
            "teams": len(club.teams),
            "team_slots": len(club.team_slots),
            "team_members": len(club.team_members),
            "applications": len(club.applications),
            "likes": len(club.likes),
        },
    )


async def _main(url: str, size: SeedSize, rng_seed: int) -> SeedResult:
    engine = create_engine(url)
    try:
        return await seed(engine, size, rng_seed=rng_seed)
    finally:
        await engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("WAP_DATABASE_URL"),
        help="a migrated database (default: WAP_DATABASE_URL)",
    )
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 200 members, 100 teams")
    parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same club)")
    parser.add_argument("--out", type=Path, help="write the ids as JSON here (else to stdout)")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("give --database-url or set WAP_DATABASE_URL")
    result = asyncio.run(_main(args.database_url, SeedSize.at(args.scale), args.seed))
    document = json.dumps(result.to_json())
    if args.out:
        args.out.write_text(document + "\n")
        rows = ", ".join(f"{count} {table}" for table, count in result.rows.items())
        print(f"seeded {rows}; ids in {args.out}", file=sys.stderr)
    else:
        print(document)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
