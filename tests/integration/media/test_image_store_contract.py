"""The ImageStore contract, run against the file store and the S3 store alike (the S3 one
on a real S3-protocol server), plus what only the bucket has: reading back for ``/media``
and storage that does not answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import obstore
import pytest

from tests.integration.media.conftest import Bucket, unreachable_env
from wap.adapters.media.images import FileImageStore
from wap.adapters.media.s3 import IMMUTABLE, S3ImageStore, S3Location, s3_store
from wap.application.errors import Unavailable
from wap.application.media.ports import ImageKind, ImageStore, ProcessedImage

IMAGE = ProcessedImage(original=b"RIFF-original-bytes", thumbnail=b"RIFF-thumb", extension="webp")


@dataclass
class Harness:
    store: ImageStore
    keys: Callable[[], set[str]]  # what the store holds now, as "<kind>/<file>"
    read: Callable[[str], bytes]  # the bytes behind a /media URL


@pytest.fixture(params=["file", "s3"])
def images(request: pytest.FixtureRequest, tmp_path: Path) -> Harness:
    if request.param == "file":
        root = tmp_path / "media"

        def files() -> set[str]:
            return {
                str(p.relative_to(root))
                for p in root.rglob("*")
                if p.is_file() and not p.name.startswith(".")
            }

        return Harness(
            FileImageStore(root),
            files,
            lambda url: (root / url.removeprefix("/media/")).read_bytes(),
        )
    bucket: Bucket = request.getfixturevalue("bucket")
    return Harness(
        bucket.store(), bucket.keys, lambda url: bucket.object(bucket.key_of(url))["body"]
    )


async def test_save_writes_the_image_and_its_thumbnail_under_media(images: Harness) -> None:
    stored = await images.store.save(ImageKind.TEAM, "7-0123456789abcdef", IMAGE)
    assert stored.url == "/media/teams/7-0123456789abcdef.webp"
    assert stored.thumbnail_url == "/media/teams/7-0123456789abcdef.thumb.webp"
    assert images.keys() == {"teams/7-0123456789abcdef.webp", "teams/7-0123456789abcdef.thumb.webp"}
    assert images.read(stored.url) == IMAGE.original
    assert images.read(stored.thumbnail_url) == IMAGE.thumbnail


async def test_delete_removes_only_what_the_store_wrote(images: Harness) -> None:
    kept = await images.store.save(ImageKind.AVATAR, "3-aaaaaaaaaaaaaaaa", IMAGE)
    gone = await images.store.save(ImageKind.AVATAR, "3-bbbbbbbbbbbbbbbb", IMAGE)
    for url in (gone.url, gone.thumbnail_url):
        await images.store.delete(url)
    kept_keys = {"avatars/3-aaaaaaaaaaaaaaaa.webp", "avatars/3-aaaaaaaaaaaaaaaa.thumb.webp"}
    assert images.keys() == kept_keys
    # Nothing, someone else's picture, a path out of the folder, an object already gone:
    # all ignored, nothing raised, nothing else touched.
    ignored: tuple[str | None, ...] = (
        None,
        "",
        "https://avatars.githubusercontent.com/u/1",
        "/media/../secret",
        "/static/web/app.css",
        gone.url,
    )
    for other in ignored:
        await images.store.delete(other)
    assert images.read(kept.url) == IMAGE.original
    assert images.keys() == kept_keys


async def test_the_bucket_keeps_the_type_and_a_long_cache_life(bucket: Bucket) -> None:
    stored = await bucket.store().save(ImageKind.TEAM, "1-cccccccccccccccc", IMAGE)
    found = bucket.object(bucket.key_of(stored.url))
    assert found["content_type"] == "image/webp" and found["cache_control"] == IMMUTABLE
    # Under the prefix of WAP_MEDIA_URL, not at the bucket's root.
    listed = bucket.client.list_objects_v2(Bucket=bucket.name)["Contents"]
    assert {o["Key"] for o in listed} == {
        "club/images/teams/1-cccccccccccccccc.webp",
        "club/images/teams/1-cccccccccccccccc.thumb.webp",
    }


async def test_open_reads_an_object_back_and_names_nothing_else(bucket: Bucket) -> None:
    store = bucket.store()
    stored = await store.save(ImageKind.TEAM, "2-dddddddddddddddd", IMAGE)
    found = await store.open(stored.thumbnail_url.removeprefix("/media/"))
    assert found is not None
    assert found.content_type == "image/webp" and found.size == len(IMAGE.thumbnail)
    assert b"".join([chunk async for chunk in found.chunks]) == IMAGE.thumbnail
    for path in (
        "teams/2-eeeeeeeeeeeeeeee.webp",  # no such object
        "teams/../teams/2-dddddddddddddddd.webp",
        "other/2-dddddddddddddddd.webp",
        "teams/",
        "",
    ):
        assert await store.open(path) is None, path


async def test_unreachable_storage_is_unavailable_and_save_leaves_nothing(bucket: Bucket) -> None:
    env = unreachable_env(bucket)
    away = S3ImageStore(
        s3_store(
            S3Location(
                bucket.name,
                bucket.prefix,
                env["WAP_S3_ENDPOINT_URL"],
                "us-east-1",
                env["WAP_S3_ACCESS_KEY_ID"],
                env["WAP_S3_SECRET_ACCESS_KEY"],
            )
        )
    )
    with pytest.raises(Unavailable):
        await away.save(ImageKind.TEAM, "4-ffffffffffffffff", IMAGE)
    with pytest.raises(Unavailable):
        await away.open("teams/4-ffffffffffffffff.webp")
    # Deleting happens after the database has moved on: it logs, it does not fail the request.
    await away.delete("/media/teams/4-ffffffffffffffff.webp")
    assert bucket.keys() == set()


async def test_a_thumbnail_that_cannot_be_written_takes_the_original_back(
    bucket: Bucket, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The original reaches the real bucket; the connection drops on the thumbnail (a fault
    put into obstore's upload call, nothing else replaced)."""
    real_put = obstore.put_async
    calls = 0

    async def put(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise ConnectionResetError("connection reset by peer")
        return await real_put(*args, **kwargs)

    monkeypatch.setattr(obstore, "put_async", put)
    with pytest.raises(Unavailable):
        await bucket.store().save(ImageKind.TEAM, "5-0000000000000000", IMAGE)
    assert calls == 2
    assert bucket.keys() == set()
