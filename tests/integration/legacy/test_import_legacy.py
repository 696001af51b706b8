"""The import against a real old database (MariaDB, seeded by seed.py) into ours (SQLite and
MariaDB), compared through our API with what the old rows say."""

from __future__ import annotations

import secrets
from collections import Counter, defaultdict
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from tests.builders import png
from tests.integration.http.conftest import Api
from tests.integration.legacy import seed
from tests.integration.media.conftest import KEY_ID, SECRET, Bucket
from wap.adapters.legacy.images import S3LegacyImages
from wap.adapters.legacy.source import MySqlLegacySource
from wap.adapters.legacy.target import SqlLegacyTarget
from wap.adapters.media.images import PillowImageProcessor
from wap.adapters.media.s3 import S3Location, s3_store
from wap.adapters.sql.tables import members, metadata
from wap.application.legacy.import_legacy import (
    ImageCopier,
    ImageMode,
    ImportLegacy,
    ImportLegacyCommand,
    LegacyImportFailed,
)
from wap.application.legacy.plan import Report
from wap.domain.catalog import Category
from wap.domain.terms import KST

pytestmark = pytest.mark.mysql
CATEGORIES = {c.value for c in Category}


async def run_import(engine: AsyncEngine, old_url: str, *, dry_run: bool = False) -> Report:
    async with AsyncSession(engine, expire_on_commit=False) as session:
        use_case = ImportLegacy(MySqlLegacySource(old_url), SqlLegacyTarget(session))
        return await use_case(ImportLegacyCommand(dry_run=dry_run))


async def dump(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of ours, in a stable order."""
    out = {}
    async with engine.connect() as connection:
        for table in metadata.sorted_tables:
            rows = await connection.execute(select(table))
            out[table.name] = sorted(tuple(row) for row in rows)
    return out


async def old_rows(old_url: str) -> dict[str, list[dict[str, Any]]]:
    """The old tables, read plainly: what the comparison expects comes from here, not from
    the importer's code."""
    engine = create_async_engine(old_url)
    out: dict[str, list[dict[str, Any]]] = {}
    try:
        async with engine.connect() as connection:
            for table in (
                "user_customuser",
                "user_usertech",
                "user_userurls",
                "team_team",
                "team_teamtech",
                "team_teamuser",
                "team_teamapply",
                "team_likes",
            ):
                rows = await connection.execute(text(f"SELECT * FROM {table}"))
                out[table] = [dict(row._mapping) for row in rows]
    finally:
        await engine.dispose()
    return out


async def old_checksums(old_url: str) -> list[tuple[Any, ...]]:
    engine = create_async_engine(old_url)
    try:
        async with engine.connect() as connection:
            found = await connection.execute(
                text(
                    "CHECKSUM TABLE user_customuser, user_usertech, user_userurls, team_team, "
                    "team_teamtech, team_teamuser, team_teamapply, team_likes, "
                    "socialaccount_socialaccount EXTENDED"
                )
            )
            return [tuple(row) for row in found]
    finally:
        await engine.dispose()


SKIPPED_MEMBERS = {seed.UNFINISHED_NUMBER, seed.MALFORMED_MEMBER, seed.NEVER_SIGNED_IN}
PENDING_MEMBERS = {seed.UNAPPROVED_LEADER, seed.UNAPPROVED_MEMBER, seed.DISABLED}


async def test_the_import_shows_through_our_api_what_the_old_rows_say(
    api: Api, old_url: str
) -> None:
    report = await run_import(api.engine, old_url)
    old = await old_rows(old_url)
    client = api.client
    # Members: approved ones are public, pending ones hidden, unfinished ones not imported.
    techs = {r["user_id"]: r["tech"] for r in old["user_usertech"]}
    for row in old["user_customuser"]:
        response = await client.get(f"/api/v1/members/{row['id']}")
        if row["id"] in SKIPPED_MEMBERS | PENDING_MEMBERS:
            assert response.status_code == 404, row["id"]
            continue
        assert response.status_code == 200, (row["id"], response.text)
        profile = response.json()
        assert profile["name"] == row["name"] and profile["position"] == row["position"]
        assert profile["bio"] == row["explain"]
        login = "allauth-only" if row["id"] == seed.ALLAUTH_ONLY else row["email"].split("@")[0]
        assert profile["github_login"] == login
        items = [i.strip() for i in (techs.get(row["id"]) or b"").decode().split(",")]
        assert profile["tech_stack"] == [i for i in items if i]
        assert profile["role"] == ("officer" if row["is_staff"] else "member")
        if row["image"] and "github" not in row["image"]:
            assert profile["avatar_url"] == row["image"] + "image.jpg"
            assert profile["avatar_thumbnail_url"] == row["image"] + "thumnail.jpg"
        else:
            assert profile["avatar_url"] == row["image"]
    messy = (await client.get(f"/api/v1/members/{seed.MESSY_LISTS}")).json()
    assert messy["tech_stack"] == ["Python", "Django"]
    assert messy["links"] == ["https://a.example", "https://b.example"]

    # Teams: what the old rows say, recounted.
    imported = {r["id"] for r in old["user_customuser"]} - SKIPPED_MEMBERS
    likes = Counter(r["team_id"] for r in old["team_likes"] if r["user_id"] in imported)
    in_slot: dict[int, Counter[str]] = defaultdict(Counter)
    people: dict[int, set[tuple[int, str, str | None]]] = defaultdict(set)
    leaders = {t["id"]: t["leader_id"] for t in old["team_team"]}
    for r in old["team_teamuser"]:
        if r["user_id"] != leaders[r["team_id"]] and r["tech"] in CATEGORIES:
            in_slot[r["team_id"]][r["tech"]] += 1
            people[r["team_id"]].add((r["user_id"], "member", r["tech"]))
    need: dict[int, Counter[str]] = defaultdict(Counter)
    for r in old["team_teamtech"]:
        need[r["team_id"]][r["tech"]] += r["need_num"]
    shown = 0
    for row in old["team_team"]:
        response = await client.get(f"/api/v1/teams/{row['id']}")
        if not row["is_approved"] and not row["is_accomplished"]:
            assert response.status_code == 404  # pending: only its leader and officers
            continue
        assert response.status_code == 200, (row["id"], response.text)
        shown += 1
        page = response.json()
        assert page["title"] == row["title"] and page["leader_id"] == row["leader_id"]
        assert page["status"] == ("completed" if row["is_accomplished"] else "recruiting")
        assert page["like_count"] == likes[row["id"]]
        assert page["view_count"] == row["view"] + 1  # kept, plus this reading's view
        expected_slots = {
            category: (max(need[row["id"]][category], filled), filled)
            for category, filled in in_slot[row["id"]].items()
        } | {
            category: (capacity, in_slot[row["id"]][category])
            for category, capacity in need[row["id"]].items()
            if in_slot[row["id"]][category] <= capacity
        }
        assert {
            s["category"]: (s["capacity"], s["filled"]) for s in page["slots"]
        } == expected_slots
        team_people = (await client.get(f"/api/v1/teams/{row['id']}/members")).json()
        got = {(p["member"]["id"], p["role"], p["category"]) for p in team_people}
        assert got == people[row["id"]] | {(row["leader_id"], "leader", None)}, row["id"]
    assert shown >= 40

    # The inconsistencies, one by one.
    overbooked = (await client.get(f"/api/v1/teams/{seed.OVERBOOKED_TEAM}")).json()
    assert overbooked["slots"] == [{"category": "웹", "capacity": 2, "filled": 2}]
    merged = (await client.get(f"/api/v1/teams/{seed.DUPLICATE_SLOT_TEAM}")).json()
    assert merged["slots"] == [{"category": "웹", "capacity": 3, "filled": 1}]
    boundary = (await client.get(f"/api/v1/teams/{seed.TERM_BOUNDARY_TEAM}")).json()
    assert boundary["created_at"].startswith("2024-08-31T20:00:00") and boundary["term"] == "2024-2"
    malformed = (await client.get(f"/api/v1/teams/{seed.MALFORMED_TEAM}")).json()
    assert "broken" in malformed["description"]

    # Zero dates: the rows are imported, each date from the nearest one the old rows know.
    zero_team = (await client.get(f"/api/v1/teams/{seed.ZERO_DATES_TEAM}")).json()
    leader_row = next(r for r in old["user_customuser"] if r["id"] == seed.ZERO_TEAM_LEADER)
    leader_created = leader_row["created_at"].replace(tzinfo=KST).astimezone(UTC)
    assert datetime.fromisoformat(zero_team["created_at"]) == leader_created
    assert zero_team["term"] == "2024-1" and zero_team["like_count"] == 1
    for member_id in (seed.ZERO_CREATED_MEMBER, seed.ZERO_DATES_MEMBER):
        profile = await client.get(f"/api/v1/members/{member_id}")
        assert profile.status_code == 200, profile.text

    # The report: a line for every inconsistency of the schema description, and the rest
    # imported.
    def line(table: str, id: int, *words: str) -> str:
        found = [str(x) for x in report.lines if x.table == table and x.id == id]
        assert found, (table, id)
        matching = [x for x in found if all(w in x for w in words)]
        assert matching, (words, found)
        return matching[0]

    team_rows = {r["team_id"]: r["id"] for r in old["team_teamtech"]}
    overbooked_slot = team_rows[seed.OVERBOOKED_TEAM]
    line("team_team", seed.LIKE_MISMATCH_TEAM, "like", "row(s) in team_likes")
    mismatched = seed.CURRENT_NUM_MISMATCH_TEAM
    for slot_id in [r["id"] for r in old["team_teamtech"] if r["team_id"] == mismatched]:
        line("team_teamtech", slot_id, "current_num")
    line("team_teamtech", overbooked_slot, "overbooked", "capacity raised to 2")
    line("team_team", seed.UNAPPROVED_TEAM, f"leader member {seed.UNAPPROVED_LEADER}", "approved")
    unapproved_row = next(
        r["id"] for r in old["team_teamuser"] if r["user_id"] == seed.UNAPPROVED_MEMBER
    )
    line("team_teamuser", unapproved_row, "is not approved")
    line("team_team", seed.NO_LEADER_ROW_TEAM, "no 팀장 row", "leader membership added")
    other_leader_row = next(
        r["id"] for r in old["team_teamuser"] if r["user_id"] == seed.NAMED_IN_LEADER_ROW
    )
    line("team_teamuser", other_leader_row, "팀장 row names member", "leader_id decides")
    duplicate = max(
        r["id"] for r in old["team_teamtech"] if r["team_id"] == seed.DUPLICATE_SLOT_TEAM
    )
    line("team_teamtech", duplicate, "second 웹 slot", "merged")
    line("user_customuser", seed.UNFINISHED_NUMBER, "sign-up not finished")
    line("user_usertech", seed.MESSY_LISTS, "empty item")
    line("user_userurls", seed.MESSY_LISTS, "empty item", "ftp://old.example")
    line("team_team", seed.MESSY_TEAM_URL, "url:", "empty item", "ftp://bad.example")
    line("team_team", seed.MALFORMED_TEAM, "explain", "not UTF-8")
    line("user_customuser", seed.MALFORMED_MEMBER, "name")
    line("user_customuser", seed.DISABLED, "is_active = 0")
    line("user_customuser", seed.ALLAUTH_DIFFERS, "differs from allauth's uid 90021")
    line("user_customuser", seed.NEVER_SIGNED_IN, "no GitHub id")
    zero = "holds no valid date"
    line("user_customuser", seed.ZERO_CREATED_MEMBER, "created_at", zero, "updated_at used")
    line("user_customuser", seed.ZERO_DATES_MEMBER, "created_at", zero, "the import's time")
    line("team_team", seed.ZERO_DATES_TEAM, "created_at", zero, f"member {seed.ZERO_TEAM_LEADER}'s")
    line("team_team", seed.ZERO_DATES_TEAM, "updated_at", zero, "created_at used")
    zero_app = next(
        r["id"]
        for r in old["team_teamapply"]
        if r["team_id"] == seed.ZERO_DATES_TEAM and r["user_id"] == seed.ZERO_DATE_APPLICATION_OF
    )
    line("team_teamapply", zero_app, "created_at", zero, "team")
    zero_like = next(r["id"] for r in old["team_likes"] if r["team_id"] == seed.ZERO_DATES_TEAM)
    line("team_likes", zero_like, "created_at", zero, "the team's created_at used")
    second_pending = max(
        r["id"] for r in old["team_teamapply"] if r["user_id"] == seed.TWO_PENDING_MEMBER
    )
    line("team_teamapply", second_pending, "a second pending application")
    assert report.notices == []  # is_staff members were imported as officers
    assert report.totals["user_customuser"].imported == len(old["user_customuser"]) - 3
    assert report.error is None

    # Applications: accepted ones stay accepted, the rest pending, the malformed one skipped.
    async with api.engine.connect() as connection:
        found = await connection.execute(
            text("SELECT status, COUNT(*) FROM applications GROUP BY status")
        )
        statuses: dict[str, int] = {str(row[0]): int(row[1]) for row in found}
    accepted = sum(r["is_approved"] for r in old["team_teamapply"])
    assert statuses["accepted"] == accepted
    # Two skipped: the one for '코볼', the second pending one of the same member and team.
    assert statuses["pending"] == len(old["team_teamapply"]) - accepted - 2
    # An accepted application without a team_teamuser row stays accepted, adds no member.
    async with api.engine.connect() as connection:
        kept = await connection.execute(
            text("SELECT status FROM applications WHERE member_id = :m AND team_id = :t"),
            {"m": seed.ACCEPTED_WITHOUT_ROW, "t": seed.DUPLICATE_SLOT_TEAM},
        )
        assert [str(r[0]) for r in kept] == ["accepted"]


async def test_a_rerun_changes_nothing_and_a_dry_run_writes_nothing(
    engine: AsyncEngine, old_url: str
) -> None:
    untouched = await old_checksums(old_url)
    empty = await dump(engine)
    dry = await run_import(engine, old_url, dry_run=True)
    assert await dump(engine) == empty
    assert dry.totals["team_team"].imported > 40 and dry.lines
    first = await run_import(engine, old_url)
    after_first = await dump(engine)
    assert len(after_first["members"]) == first.totals["user_customuser"].imported
    second = await run_import(engine, old_url)
    assert await dump(engine) == after_first
    assert await old_checksums(old_url) == untouched  # read only
    assert second.totals["user_customuser"].present == first.totals["user_customuser"].imported
    assert all(t.present == t.imported for t in second.totals.values())
    assert [str(line) for line in second.lines] == [str(line) for line in first.lines]
    # New rows of ours get ids after the kept ones (SQLite's sequence and MySQL's
    # AUTO_INCREMENT both follow explicit ids).
    async with engine.begin() as connection:
        new_member = await connection.execute(
            members.insert().values(
                github_id=987654,
                github_login="newcomer",
                bio="",
                tech_stack=[],
                links=[],
                status="registering",
                role="member",
                notify_email=True,
                language="ko",
                created_at=datetime(2026, 3, 1, tzinfo=UTC),
            )
        )
        new_id = new_member.inserted_primary_key
        assert new_id is not None and new_id[0] > max(r[0] for r in after_first["members"])
        await connection.rollback()


async def test_rows_of_ours_that_clash_stop_the_import_and_nothing_is_written(
    engine: AsyncEngine, old_url: str
) -> None:
    async with engine.begin() as connection:
        await connection.execute(
            members.insert().values(
                id=1,
                github_id=424242,
                github_login="someone-else",
                bio="",
                tech_stack=[],
                links=[],
                status="registering",
                role="member",
                notify_email=True,
                language="ko",
                created_at=datetime(2024, 3, 1, tzinfo=UTC),
            )
        )
    before = await dump(engine)
    with pytest.raises(LegacyImportFailed) as failed:
        await run_import(engine, old_url)
    assert "our member 1" in str(failed.value.report.error)
    assert await dump(engine) == before


class FailingAfterWrite(SqlLegacyTarget):
    """Our database refusing the commit after every row went in (a lost connection, a
    constraint of a schema newer than the import)."""

    async def commit(self) -> None:
        raise RuntimeError("lost connection to the database during commit")


async def test_images_copied_into_our_bucket_are_deleted_when_the_transaction_fails(
    engine: AsyncEngine, old_url: str, bucket: Bucket
) -> None:
    old_name = f"wap-old-{secrets.token_hex(4)}"
    bucket.client.create_bucket(Bucket=old_name)
    for key in (f"team/{1:032x}/image.jpg", "user/1/image.jpg", "user/4/image.jpg"):
        bucket.client.put_object(Bucket=old_name, Key=key, Body=png(400, 300))
    old_images = S3LegacyImages(
        s3_store(S3Location(old_name, "", bucket.endpoint, "us-east-1", KEY_ID, SECRET))
    )
    copier = ImageCopier(old_images, PillowImageProcessor(), bucket.store(), 5 * 1024 * 1024)
    before = await dump(engine)
    async with AsyncSession(engine, expire_on_commit=False) as session:
        use_case = ImportLegacy(MySqlLegacySource(old_url), FailingAfterWrite(session), copier)
        with pytest.raises(LegacyImportFailed) as failed:
            await use_case(ImportLegacyCommand(images=ImageMode.COPY))
    assert "lost connection" in str(failed.value.report.error)
    assert await dump(engine) == before
    assert bucket.keys() == set()  # the three images and their thumbnails were stored, then deleted
    # The same import committing keeps them, each referenced by its row.
    async with AsyncSession(engine, expire_on_commit=False) as session:
        use_case = ImportLegacy(MySqlLegacySource(old_url), SqlLegacyTarget(session), copier)
        await use_case(ImportLegacyCommand(images=ImageMode.COPY))
    async with engine.connect() as connection:
        urls = await connection.execute(
            text(
                "SELECT avatar_url, avatar_thumbnail_url FROM members WHERE id IN (1, 4) "
                "UNION ALL SELECT image_url, image_thumbnail_url FROM teams WHERE id = 1"
            )
        )
        referenced = {str(url).removeprefix("/media/") for row in urls for url in row}
    assert bucket.keys() == referenced and len(referenced) == 6
