"""An old-service database for the import tests: the DDL of oldwap.sql, a few hundred
ordinary rows, and every inconsistency /work/shared/LEGACY-SCHEMA.md lists (the constants
below name the rows that carry them)."""

from __future__ import annotations

import json
import random
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

DDL = Path(__file__).with_name("oldwap.sql")
BUCKET = "https://wap-club.s3.ap-northeast-2.amazonaws.com"
CATEGORIES = [
    "웹",
    "IOS",
    "안드로이드",
    "파이썬",
    "노드",
    "자바",
    "유니티",
    "UI/UX 디자인",
    "딥러닝",
]
POSITIONS = ["백엔드", "프론트엔드", "AI", "디자이너"]
GENRES = ["웹", "앱", "게임"]
SYLLABLES = "김이박최정강조윤장임한오서신권황안송류전홍민서준하윤지우도현수아"
START = datetime(2024, 3, 2, 10, 0)  # naive KST

ORDINARY_MEMBERS = range(1, 151)
ORDINARY_TEAMS = range(1, 41)
STAFF = (1, 2)
# The inconsistencies, by the rows that hold them.
LIKE_MISMATCH_TEAM = 1  # team.like is 3 more than its team_likes rows
CURRENT_NUM_MISMATCH_TEAM = 2  # current_num disagrees with team_teamuser
TERM_BOUNDARY_TEAM = 3  # created 2024-09-01 05:00 KST = 2024-08-31 20:00 UTC: term 2024-2
OVERBOOKED_TEAM = 901  # 웹: need_num 1, current_num 2, two members
UNAPPROVED_LEADER, UNAPPROVED_MEMBER, UNAPPROVED_TEAM = 501, 502, 902
NO_LEADER_ROW_TEAM = 903  # its leader has no 팀장 row
OTHER_LEADER_ROW_TEAM, OTHER_LEADER, NAMED_IN_LEADER_ROW = 904, 503, 504
DUPLICATE_SLOT_TEAM = 905  # 웹 listed twice (need 2 and 1)
MALFORMED_TEAM = 906  # explain is not UTF-8; a member row and an application of tech '코볼'
FINISHED_NUMBER, UNFINISHED_NUMBER = 505, 506  # share student number 201955555
MESSY_LISTS = 507  # " Python,,Django , ," and links with empty items and an ftp:// one
MALFORMED_MEMBER = 508  # name "Bad Name 1": our rules refuse it
DISABLED = 509  # is_active = 0
ALLAUTH_ONLY = 510  # social_id NULL, but allauth knows GitHub id 90510, login "allauth-only"
NEVER_SIGNED_IN = 511  # social_id NULL, no allauth account
ALLAUTH_DIFFERS = 21  # social_id 10021, allauth's uid 90021: allauth's wins
# Zero dates (`0000-00-00 00:00:00`, kept by MySQL when NO_ZERO_DATE is off).
ZERO_CREATED_MEMBER = 512  # created_at zero, updated_at known
ZERO_DATES_MEMBER = 513  # both zero
ZERO_DATES_TEAM, ZERO_TEAM_LEADER = 907, 71  # both zero; its slot member, application, like
ZERO_DATE_APPLICATION_OF, ZERO_DATE_LIKE_OF = 72, 73
TWO_PENDING_TEAM, TWO_PENDING_MEMBER = 907, 74  # pending for 웹 and for 파이썬 in one team
ACCEPTED_WITHOUT_ROW = 75  # accepted to DUPLICATE_SLOT_TEAM, no team_teamuser row
MESSY_TEAM_URL = 906  # url "https://x.example,, ftp://bad.example ,"
ZERO = "0000-00-00 00:00:00"
# (table, which rows, columns) set to the zero date after seeding.
ZERO_DATES = (
    ("user_customuser", f"id = {ZERO_CREATED_MEMBER}", ("created_at",)),
    ("user_customuser", f"id = {ZERO_DATES_MEMBER}", ("created_at", "updated_at")),
    ("team_team", f"id = {ZERO_DATES_TEAM}", ("created_at", "updated_at")),
    (
        "team_teamapply",
        f"team_id = {ZERO_DATES_TEAM} AND user_id = {ZERO_DATE_APPLICATION_OF}",
        ("created_at", "updated_at"),
    ),
    ("team_likes", f"team_id = {ZERO_DATES_TEAM}", ("created_at",)),
)


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def _at(days: float) -> datetime:
    return START + timedelta(days=days)


def seed_rows() -> dict[str, list[dict[str, Any]]]:
    rng = random.Random(2026)
    rows: dict[str, list[dict[str, Any]]] = {
        t: []
        for t in (
            "user_customuser",
            "user_usertech",
            "user_userurls",
            "socialaccount_socialaccount",
            "team_team",
            "team_teamtech",
            "team_teamuser",
            "team_teamapply",
            "team_likes",
        )
    }

    def member(id: int, **over: Any) -> None:
        image = (
            f"https://avatars.githubusercontent.com/u/{10000 + id}?v=4"
            if id % 3 == 0
            else f"{BUCKET}/user/{id}/"
            if id % 3 == 1
            else None
        )
        row = {
            "id": id,
            "email": f"user{id}@github.com",
            "social_id": 10000 + id,
            "name": _name(rng),
            "student_num": f"2020{id:05d}",
            "position": POSITIONS[id % 4],
            "explain": "열심히 하겠습니다!" if id % 2 else f"{id}번 회원입니다.\n잘 부탁드려요.",
            "image": image,
            "is_approved": 1,
            "is_active": 1,
            "is_staff": 1 if id in STAFF else 0,
            "created_at": _at(id / 10),
            "updated_at": _at(id / 10),
        }
        rows["user_customuser"].append(row | over)

    for id in ORDINARY_MEMBERS:
        member(id)
        if id % 4 != 0:
            stack = rng.sample(["Python", "Django", "React", "AWS", "Figma", "Kotlin", "Go"], 3)
            rows["user_usertech"].append({"user_id": id, "tech": ",".join(stack).encode()})
        if id % 5 == 0:
            links = f"https://github.com/user{id},https://blog.example/{id}"
            rows["user_userurls"].append({"user_id": id, "url": links.encode()})
    for id in range(1, 21):
        rows["socialaccount_socialaccount"].append(
            {
                "id": id,
                "provider": "github",
                "uid": str(10000 + id),
                "extra_data": json.dumps({"login": f"user{id}", "id": 10000 + id}),
                "user_id": id,
            }
        )
    member(UNAPPROVED_LEADER, is_approved=0)
    member(UNAPPROVED_MEMBER, is_approved=0)
    member(OTHER_LEADER)
    member(NAMED_IN_LEADER_ROW)
    member(FINISHED_NUMBER, student_num="201955555")
    member(UNFINISHED_NUMBER, student_num="201955555", position=None)  # signed in, no more
    member(MESSY_LISTS)
    rows["user_usertech"].append({"user_id": MESSY_LISTS, "tech": b" Python,,Django , ,"})
    rows["user_userurls"].append(
        {"user_id": MESSY_LISTS, "url": b"https://a.example,,ftp://old.example, https://b.example,"}
    )
    member(MALFORMED_MEMBER, name="Bad Name 1")
    member(DISABLED, is_active=0)
    member(ALLAUTH_ONLY, social_id=None, email="whatever@example.com")
    rows["socialaccount_socialaccount"].append(
        {
            "id": 99,
            "provider": "github",
            "uid": "90510",
            "extra_data": json.dumps({"login": "allauth-only", "id": 90510}),
            "user_id": ALLAUTH_ONLY,
        }
    )
    member(NEVER_SIGNED_IN, social_id=None, student_num=None, position=None)
    member(ZERO_CREATED_MEMBER)
    member(ZERO_DATES_MEMBER)
    rows["socialaccount_socialaccount"].append(
        {
            "id": 100,
            "provider": "github",
            "uid": "90021",
            "extra_data": json.dumps({"login": f"user{ALLAUTH_DIFFERS}", "id": 90021}),
            "user_id": ALLAUTH_DIFFERS,
        }
    )

    ids = {"teamtech": 0, "teamuser": 0, "apply": 0, "like": 0}

    def next_id(kind: str) -> int:
        ids[kind] += 1
        return ids[kind]

    def team(id: int, leader: int, **over: Any) -> dict[str, Any]:
        created = _at(id) if id < 900 else _at(60 + id % 10)
        row = {
            "id": id,
            "leader_id": leader,
            "title": f"프로젝트 {id}",
            "explain": f"{id}번 팀의 설명입니다.\n함께 만들어요!".encode(),
            "genre": GENRES[id % 3],
            "like": 0,
            "view": rng.randint(0, 500),
            "uuid": f"{id:032x}",
            "image": f"{BUCKET}/team/{id:032x}/" if id % 2 else f"{BUCKET}/team/default/",
            "url": b"https://github.com/wap-club/p" + str(id).encode() if id % 3 == 0 else None,
            "is_approved": 0 if id % 10 == 0 else 1,
            "is_accomplished": 1 if id % 7 == 0 else 0,
            "created_at": created,
            "updated_at": created + timedelta(hours=5),
        } | over
        rows["team_team"].append(row)
        return row

    def slot(team_id: int, tech: str, need: int, current: int) -> None:
        rows["team_teamtech"].append(
            {
                "id": next_id("teamtech"),
                "team_id": team_id,
                "tech": tech,
                "need_num": need,
                "current_num": current,
                "created_at": START,
                "updated_at": START,
            }
        )

    def join(team_id: int, user_id: int, tech: str, accepted: datetime | None = None) -> None:
        rows["team_teamuser"].append(
            {"id": next_id("teamuser"), "team_id": team_id, "user_id": user_id, "tech": tech}
        )
        if accepted is not None:
            apply(team_id, user_id, tech, approved=1, at=accepted)

    def apply(team_id: int, user_id: int, tech: str, approved: int, at: datetime) -> None:
        rows["team_teamapply"].append(
            {
                "id": next_id("apply"),
                "team_id": team_id,
                "user_id": user_id,
                "bio": f"{tech} 자리에 지원합니다",
                "tech": tech,
                "is_approved": approved,
                "created_at": at,
                "updated_at": at + timedelta(hours=2),
            }
        )

    def like(team_id: int, user_id: int) -> None:
        rows["team_likes"].append(
            {
                "id": next_id("like"),
                "team_id": team_id,
                "user_id": user_id,
                "created_at": START,
                "updated_at": START,
            }
        )

    pool = list(range(3, 151))
    for id in ORDINARY_TEAMS:
        leader = rng.choice(pool)
        over: dict[str, Any] = {}
        if id == TERM_BOUNDARY_TEAM:
            over["created_at"] = datetime(2024, 9, 1, 5, 0)
            over["updated_at"] = datetime(2024, 9, 1, 6, 0)
        row = team(id, leader, **over)
        join(id, leader, "팀장")
        others = [m for m in pool if m != leader]
        rng.shuffle(others)
        for tech in rng.sample(CATEGORIES, rng.randint(1, 3)):
            need = rng.randint(2, 4)
            joined = [others.pop() for _ in range(rng.randint(0, need))]
            current = len(joined) + (2 if id == CURRENT_NUM_MISMATCH_TEAM else 0)
            slot(id, tech, need, current)
            for person in joined:
                join(id, person, tech, accepted=row["created_at"] + timedelta(days=1))
            for person in [others.pop() for _ in range(rng.randint(0, 2))]:
                apply(id, person, tech, approved=0, at=row["created_at"] + timedelta(days=2))
        fans = rng.sample(pool, rng.randint(0, 8))
        for fan in fans:
            like(id, fan)
        row["like"] = len(fans) + (3 if id == LIKE_MISMATCH_TEAM else 0)

    team(OVERBOOKED_TEAM, 60)
    join(OVERBOOKED_TEAM, 60, "팀장")
    slot(OVERBOOKED_TEAM, "웹", 1, 2)
    join(OVERBOOKED_TEAM, 61, "웹", accepted=_at(62))
    join(OVERBOOKED_TEAM, 62, "웹", accepted=_at(62))

    team(UNAPPROVED_TEAM, UNAPPROVED_LEADER)
    join(UNAPPROVED_TEAM, UNAPPROVED_LEADER, "팀장")
    slot(UNAPPROVED_TEAM, "파이썬", 2, 1)
    join(UNAPPROVED_TEAM, UNAPPROVED_MEMBER, "파이썬")

    team(NO_LEADER_ROW_TEAM, 63)
    slot(NO_LEADER_ROW_TEAM, "웹", 2, 1)
    join(NO_LEADER_ROW_TEAM, 64, "웹")

    team(OTHER_LEADER_ROW_TEAM, OTHER_LEADER)
    join(OTHER_LEADER_ROW_TEAM, NAMED_IN_LEADER_ROW, "팀장")
    slot(OTHER_LEADER_ROW_TEAM, "노드", 2, 1)
    join(OTHER_LEADER_ROW_TEAM, 65, "노드")

    team(DUPLICATE_SLOT_TEAM, 66)
    join(DUPLICATE_SLOT_TEAM, 66, "팀장")
    slot(DUPLICATE_SLOT_TEAM, "웹", 2, 1)
    slot(DUPLICATE_SLOT_TEAM, "웹", 1, 0)
    join(DUPLICATE_SLOT_TEAM, 67, "웹")

    team(
        MALFORMED_TEAM,
        68,
        explain=b"\xff\xfe broken \xc3",
        url=b"https://x.example,, ftp://bad.example ,",
    )
    join(MALFORMED_TEAM, 68, "팀장")
    slot(MALFORMED_TEAM, "유니티", 3, 1)
    join(MALFORMED_TEAM, 69, "코볼")
    join(MALFORMED_TEAM, FINISHED_NUMBER, "유니티")
    apply(MALFORMED_TEAM, 70, "코볼", approved=0, at=_at(70))
    like(MALFORMED_TEAM, MALFORMED_MEMBER)
    like(MALFORMED_TEAM, DISABLED)

    apply(DUPLICATE_SLOT_TEAM, ACCEPTED_WITHOUT_ROW, "웹", approved=1, at=_at(66))

    team(ZERO_DATES_TEAM, ZERO_TEAM_LEADER)  # its dates become zero after seeding
    join(ZERO_DATES_TEAM, ZERO_TEAM_LEADER, "팀장")
    slot(ZERO_DATES_TEAM, "웹", 2, 1)
    slot(ZERO_DATES_TEAM, "파이썬", 1, 0)
    join(ZERO_DATES_TEAM, ZERO_DATE_APPLICATION_OF, "웹", accepted=_at(68))
    like(ZERO_DATES_TEAM, ZERO_DATE_LIKE_OF)
    apply(ZERO_DATES_TEAM, TWO_PENDING_MEMBER, "웹", approved=0, at=_at(69))
    apply(ZERO_DATES_TEAM, TWO_PENDING_MEMBER, "파이썬", approved=0, at=_at(69.5))
    return rows


async def _load(connection: AsyncConnection) -> None:
    for statement in DDL.read_text().split("\n;\n"):
        if "CREATE TABLE" in statement:
            await connection.execute(text(statement))
    for table, table_rows in seed_rows().items():
        if not table_rows:
            continue
        if table == "socialaccount_socialaccount":
            for row in table_rows:
                row.setdefault("last_login", START)
                row.setdefault("date_joined", START)
        columns = list(table_rows[0])
        # Bytes go as hex through UNHEX(): aiomysql's executemany cannot escape bytes.
        blobs = {c for row in table_rows for c, v in row.items() if isinstance(v, bytes)}
        for row in table_rows:
            for column in blobs:
                if row[column] is not None:
                    row[column] = row[column].hex()
        quoted = ", ".join(f"`{c}`" for c in columns)
        values = ", ".join(f"UNHEX(:{c})" if c in blobs else f":{c}" for c in columns)
        await connection.execute(
            text(f"INSERT INTO {table} ({quoted}) VALUES ({values})"), table_rows
        )
    # The zero dates: written as the old service's MySQL could (NO_ZERO_DATE off).
    await connection.execute(text("SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION'"))
    for table, where, columns in ZERO_DATES:
        assignments = ", ".join(f"`{c}` = '{ZERO}'" for c in columns)
        await connection.execute(text(f"UPDATE {table} SET {assignments} WHERE {where}"))


@asynccontextmanager
async def old_database(server_url: str) -> AsyncIterator[str]:
    """A database of the old service on the MariaDB server ``server_url``, seeded; dropped
    at the end. Yields its URL."""
    name = f"oldwap_test_{secrets.token_hex(4)}"
    admin = create_async_engine(server_url + "/", isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(
                text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
            )
        seeder = create_async_engine(f"{server_url}/{name}?charset=utf8mb4")
        try:
            async with seeder.begin() as connection:
                await _load(connection)
        finally:
            await seeder.dispose()
        yield f"{server_url}/{name}"
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        await admin.dispose()
