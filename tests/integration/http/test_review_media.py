"""Red-team review of ``/media`` over a bucket (moto's S3 server) and over a folder: traversal,
encoded slashes, very long and odd names never reach an object outside our images or a 5xx,
and nothing but an image type is ever served from the bucket, whatever else sits there."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.conftest import migrated_engine
from tests.integration.http.conftest import World, running_world
from tests.integration.http.test_team_building import open_team, png
from tests.integration.media.conftest import Bucket, bucket, s3_endpoint

__all__ = ["bucket", "s3_endpoint"]  # fixtures, used by name below

NASTY = [
    "/media/../pyproject.toml",
    "/media/%2e%2e/%2e%2e/etc/passwd",
    "/media/..%2f..%2fetc%2fpasswd",
    "/media//etc/passwd",
    "/media/teams/..%2f..%2fsecret.webp",
    "/media/teams%2f..%2fsecret.webp",
    "/media/teams/%2e%2e/avatars/x.webp",
    "/media/teams/" + "a" * 4000 + ".webp",
    "/media/" + "teams/" * 500 + "x.webp",
    "/media/teams/x.webp%00.html",
    "/media/teams/%00",
    "/media/teams/evil-1.html",
    "/media/teams/evil-2.svg",
    "/media/secret.txt",
    "/media/%ff%fe.webp",
    "/media/teams/x.webp?x=" + "y" * 3000,
]


@pytest.fixture
async def world(
    backend: str,
    database_url: str,
    migrated_engines: dict[str, AsyncEngine],
    tmp_path: Path,
    bucket: Bucket,
) -> AsyncIterator[World]:
    engine = await migrated_engine(backend, database_url, migrated_engines)
    async with running_world(database_url, engine, tmp_path / "media", bucket.env) as world:
        yield world


def plant(bucket: Bucket, key: str, body: bytes, content_type: str) -> None:
    """An object someone else put in the bucket (a shared bucket, a mistaken sync)."""
    bucket.client.put_object(Bucket=bucket.name, Key=key, Body=body, ContentType=content_type)


async def test_media_over_a_bucket_serves_only_our_images(world: World, bucket: Bucket) -> None:
    leader = await world.account("Leader")
    team = await open_team(world, leader)
    uploaded = await world.client.put(
        f"/api/v1/teams/{team['id']}/image",
        files={"image": ("board.png", png(), "image/png")},
        headers=leader.auth,
    )
    assert uploaded.status_code == 200, uploaded.text
    ours = await world.client.get(uploaded.json()["image_url"])
    assert ours.status_code == 200 and ours.headers["content-type"] == "image/webp"

    script = b"<script>alert(document.cookie)</script>"
    plant(bucket, f"{bucket.prefix}/teams/evil-1.html", script, "text/html")
    plant(bucket, f"{bucket.prefix}/teams/evil-2.svg", b"<svg onload=alert(1)/>", "image/svg+xml")
    plant(bucket, f"{bucket.prefix}/secret.txt", b"secret", "text/plain")
    plant(bucket, "secret.webp", b"outside the prefix", "image/webp")
    # An object of our shape whose stored type is not an image's is still sent as an image.
    plant(bucket, f"{bucket.prefix}/teams/evil-3.webp", script, "text/html")

    for path in NASTY:
        answer = await world.client.get(path)
        assert answer.status_code in (400, 404), (path[:80], answer.status_code)
        assert b"secret" not in answer.content and b"<script>alert(doc" not in answer.content
    typed = await world.client.get("/media/teams/evil-3.webp")
    assert typed.status_code == 200
    assert typed.headers["content-type"] == "image/webp"
    assert typed.headers["x-content-type-options"] == "nosniff"


async def test_media_over_a_folder_never_serves_outside_it_nor_fails(
    backend: str, database_url: str, migrated_engines: dict[str, AsyncEngine], tmp_path: Path
) -> None:
    engine = await migrated_engine(backend, database_url, migrated_engines)
    media = tmp_path / "media"
    (tmp_path / "secret.txt").write_text("secret")
    async with running_world(database_url, engine, media) as world:
        for path in [*NASTY, "/media/../secret.txt", "/media/%2e%2e/secret.txt"]:
            answer = await world.client.get(path)
            assert answer.status_code in (400, 404), (path[:80], answer.status_code)
            assert b"secret" not in answer.content
