"""Images in a bucket, over real HTTP on SQLite and MariaDB: the app on a loopback port with
``WAP_MEDIA_URL=s3://…`` pointed at a real S3-protocol server (moto's), or at a port
nothing answers on."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.conftest import migrated_engine
from tests.integration.http.conftest import World, bearer, running_world
from tests.integration.http.test_foundation import assert_problem
from tests.integration.http.test_team_building import open_team, png
from tests.integration.media.conftest import Bucket, unreachable_env
from wap.adapters.media.s3 import IMMUTABLE


@pytest.fixture
async def engine(
    backend: str, database_url: str, migrated_engines: dict[str, AsyncEngine]
) -> AsyncEngine:
    return await migrated_engine(backend, database_url, migrated_engines)


@pytest.fixture
async def world(
    database_url: str, engine: AsyncEngine, tmp_path: Path, bucket: Bucket
) -> AsyncIterator[World]:
    async with running_world(database_url, engine, tmp_path / "media", bucket.env) as world:
        yield world


def keys_of(*bodies: dict[str, Any], image: str = "image") -> set[str]:
    return {
        str(body[key]).removeprefix("/media/")
        for body in bodies
        for key in (f"{image}_url", f"{image}_thumbnail_url")
    }


async def upload_team_image(world: World, team_id: int, auth: dict[str, str]) -> Any:
    return await world.client.put(
        f"/api/v1/teams/{team_id}/image",
        files={"image": ("board.png", png(), "image/png")},
        headers=auth,
    )


async def test_an_upload_lands_in_the_bucket_and_media_streams_it(
    world: World, bucket: Bucket, tmp_path: Path
) -> None:
    leader = await world.account("Leader")
    team = await open_team(world, leader)
    uploaded = await upload_team_image(world, team["id"], leader.auth)
    assert uploaded.status_code == 200, uploaded.text
    body = uploaded.json()
    assert bucket.keys() == keys_of(body)
    for key, size in (("image_url", (800, 600)), ("image_thumbnail_url", (320, 180))):
        served = await world.client.get(body[key])
        assert served.status_code == 200
        assert served.headers["content-type"] == "image/webp"
        assert served.headers["cache-control"] == IMMUTABLE
        assert served.headers["x-content-type-options"] == "nosniff"
        assert served.content == bucket.object(bucket.key_of(body[key]))["body"]
        with Image.open(io.BytesIO(served.content)) as image:
            assert image.size == size and image.format == "WEBP"
    # Nothing was written to the local folder: the replicas share the bucket only.
    assert not (tmp_path / "media").exists() or not any((tmp_path / "media").rglob("*.webp"))
    # Names that are not objects of ours are 404, never a 500 or a bucket listing.
    for path in (
        "/media/teams/1-0000000000000000.webp",
        "/media/teams/",
        "/media/teams/%2e%2e/avatars/x.webp",
        "/media/other/x.webp",
        "/media/" + "a" * 300,
    ):
        missing = await world.client.get(path)
        assert missing.status_code == 404, path


async def test_replacing_deletes_the_old_objects_and_deleting_the_team_its_last(
    world: World, bucket: Bucket
) -> None:
    leader = await world.account("Leader")
    team = await open_team(world, leader)
    first = (await upload_team_image(world, team["id"], leader.auth)).json()
    second = (await upload_team_image(world, team["id"], leader.auth)).json()
    assert keys_of(first).isdisjoint(keys_of(second))  # a new upload is a new name
    assert bucket.keys() == keys_of(second)
    assert (await world.client.get(first["image_url"])).status_code == 404
    deleted = await world.client.delete(f"/api/v1/teams/{team['id']}", headers=leader.auth)
    assert deleted.status_code == 204
    assert bucket.keys() == set()


async def test_expelling_a_member_deletes_their_avatar_and_their_lone_team_images(
    world: World, bucket: Bucket
) -> None:
    officer = await world.account("Officer", officer=True)
    leaving, staying = await world.account("Leaving"), await world.account("Staying")
    avatars = {}
    for person in (leaving, staying):
        avatar = await world.client.put(
            "/api/v1/members/me/avatar",
            files={"image": ("me.png", png(300, 300), "image/png")},
            headers=person.auth,
        )
        assert avatar.status_code == 200, avatar.text
        avatars[person.id] = avatar.json()
    team = await open_team(world, leaving, officer)
    image = (await upload_team_image(world, team["id"], leaving.auth)).json()
    assert bucket.keys() == keys_of(*avatars.values(), image="avatar") | keys_of(image)

    expelled = await world.client.post(
        "/api/v1/admin/members/expel", json={"ids": [leaving.id]}, headers=officer.auth
    )
    assert expelled.json()["done"] == [leaving.id], expelled.text
    # Their team had no one to take it over: it went, and its images with it.
    assert bucket.keys() == keys_of(avatars[staying.id], image="avatar")


async def test_a_rejected_pending_team_takes_its_image_along(world: World, bucket: Bucket) -> None:
    officer = await world.account("Officer", officer=True)
    leader = await world.account("Leader")
    team = await open_team(world, leader)  # pending
    uploaded = await upload_team_image(world, team["id"], leader.auth)
    assert uploaded.status_code == 200, uploaded.text
    rejected = await world.client.post(
        "/api/v1/admin/teams/reject", json={"ids": [team["id"]]}, headers=officer.auth
    )
    assert rejected.json()["done"] == [team["id"]], rejected.text
    assert bucket.keys() == set()


async def test_a_public_url_makes_media_a_redirect(
    database_url: str, engine: AsyncEngine, tmp_path: Path, bucket: Bucket
) -> None:
    env = bucket.env | {"WAP_S3_PUBLIC_URL": "https://images.example.test/club/images/"}
    async with running_world(database_url, engine, tmp_path / "media", env) as world:
        leader = await world.account("Leader")
        team = await open_team(world, leader)
        body = (await upload_team_image(world, team["id"], leader.auth)).json()
        served = await world.client.get(body["image_thumbnail_url"])
        assert served.status_code == 302
        assert served.headers["location"] == (
            "https://images.example.test/club/images/" + bucket.key_of(body["image_thumbnail_url"])
        )
        assert (await world.client.get("/media/other/x.webp")).status_code == 404


async def test_unreachable_storage_is_503_and_the_database_keeps_the_old_image(
    database_url: str, engine: AsyncEngine, tmp_path: Path, bucket: Bucket
) -> None:
    async with running_world(database_url, engine, tmp_path / "media", bucket.env) as world:
        leader = await world.account("Leader")
        team = await open_team(world, leader)
        before = (await upload_team_image(world, team["id"], leader.auth)).json()
        avatar_before = await world.client.get("/api/v1/members/me", headers=leader.auth)
    away = unreachable_env(bucket)
    async with running_world(database_url, engine, tmp_path / "media", away) as world:
        # The same person, signed in to this app (sessions are kept per app without Redis).
        auth = bearer((await world.sign_in(leader.github))["access_token"])
        refused = await upload_team_image(world, team["id"], auth)
        assert_problem(refused, 503, "service.unavailable")
        refused_avatar = await world.client.put(
            "/api/v1/members/me/avatar",
            files={"image": ("me.png", png(300, 300), "image/png")},
            headers=auth,
        )
        assert_problem(refused_avatar, 503, "service.unavailable")
        assert_problem(await world.client.get(before["image_url"]), 503, "service.unavailable")
        after = await world.client.get(f"/api/v1/teams/{team['id']}", headers=auth)
        assert after.status_code == 200
        assert after.json()["image_url"] == before["image_url"]
        assert after.json()["updated_at"] == before["updated_at"]
        me = await world.client.get("/api/v1/members/me", headers=auth)
        assert me.json()["avatar_url"] == avatar_before.json()["avatar_url"]
    async with engine.connect() as connection:
        stored = await connection.execute(
            text("SELECT image_url, image_thumbnail_url FROM teams WHERE id = :id"),
            {"id": team["id"]},
        )
        assert tuple(stored.one()) == (before["image_url"], before["image_thumbnail_url"])
    assert bucket.keys() == keys_of(before)
