"""Images in S3-compatible object storage (AWS S3, MinIO, Cloudflare R2, NCP Object Storage).

Objects are named as the file store names files (``teams/<id>-<random>.webp`` under the
bucket's prefix), and the URLs kept on teams and members are the same ``/media/…`` paths:
the app answers them (``entrypoints/http/media.py``), so a deployment can move from a folder
to a bucket by copying the files, and nothing in the database names a bucket or host."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import obstore
from obstore.exceptions import BaseError
from obstore.store import S3Store

from wap.application.errors import Unavailable
from wap.application.media.ports import ImageKind, ImageStore, ProcessedImage, StoredImage

if TYPE_CHECKING:
    from obstore.store import ClientConfig, RetryConfig

log = logging.getLogger("wap.media")

# Names are unguessable and never reused (a new upload is a new name), so a browser or a CDN
# may keep an image for a year without asking again.
IMMUTABLE = "public, max-age=31536000, immutable"
CONTENT_TYPES = {"webp": "image/webp", "png": "image/png", "jpg": "image/jpeg", "gif": "image/gif"}
# What a key under /media may be: a kind's folder and a file name of ours with an image's
# extension, nothing else (an .html or .svg someone else put in the bucket is never served).
_KEY = re.compile(
    r"(teams|avatars)/[A-Za-z0-9][A-Za-z0-9_-]{0,80}(\.thumb)?\.(" + "|".join(CONTENT_TYPES) + ")"
)
# Storage that does not answer fails the request in seconds, not after obstore's default
# ten retries over three minutes.
CLIENT: ClientConfig = {"connect_timeout": "3s", "timeout": "20s"}
RETRY: RetryConfig = {"max_retries": 2, "retry_timeout": timedelta(seconds=8)}
StorageError = (BaseError, OSError)


@dataclass(frozen=True, slots=True)
class S3Location:
    """Where the images live: ``WAP_MEDIA_URL=s3://bucket/prefix`` and its companions."""

    bucket: str
    prefix: str = ""
    endpoint_url: str | None = None
    region: str = "us-east-1"
    access_key_id: str | None = None
    secret_access_key: str | None = None


def s3_store(location: S3Location) -> S3Store:
    """An obstore client. Unset credentials fall back to what obstore finds itself (the
    ``AWS_*`` variables, an instance or container role)."""
    client: ClientConfig = {**CLIENT}
    if location.endpoint_url is not None:
        client["allow_http"] = location.endpoint_url.startswith("http://")
    keys: dict[str, str] = {"region": location.region}
    if location.endpoint_url is not None:
        keys["endpoint"] = location.endpoint_url
    if location.access_key_id is not None and location.secret_access_key is not None:
        keys["access_key_id"] = location.access_key_id
        keys["secret_access_key"] = location.secret_access_key
    return S3Store(
        location.bucket,
        prefix=location.prefix or None,
        client_options=client,
        retry_config=RETRY,
        config=keys,  # type: ignore[arg-type]  # a plain dict of S3Config's keys
    )


@dataclass(frozen=True, slots=True)
class MediaObject:
    """An image being read from the bucket: its type, size and bytes, a chunk at a time."""

    content_type: str
    size: int
    chunks: AsyncIterator[bytes]


class S3ImageStore(ImageStore):
    def __init__(self, store: S3Store, url_prefix: str = "/media") -> None:
        self._store = store
        self._prefix = url_prefix.rstrip("/")

    async def save(self, kind: ImageKind, name: str, image: ProcessedImage) -> StoredImage:
        """Both objects, or neither: a thumbnail that cannot be written takes the original
        back with it. Unreachable storage is ``Unavailable`` (503 ``service.unavailable``)."""
        original = f"{kind.value}/{name}.{image.extension}"
        small = f"{kind.value}/{name}.thumb.{image.extension}"
        attributes = {
            "Content-Type": CONTENT_TYPES.get(image.extension, "application/octet-stream"),
            "Cache-Control": IMMUTABLE,
        }
        written: list[str] = []
        key = original
        try:
            for key, content in ((original, image.original), (small, image.thumbnail)):
                await obstore.put_async(self._store, key, content, attributes=attributes)
                written.append(key)
        except StorageError as error:
            log.warning("object storage refused %s: %s", key, error)
            await self._forget(written)
            raise Unavailable() from error
        return StoredImage(f"{self._prefix}/{original}", f"{self._prefix}/{small}")

    async def delete(self, url: str | None) -> None:
        """Remove an object this store wrote. Called after the database has moved on (the
        replacement or the deletion is committed): storage that fails now leaves an
        unreferenced object under an unguessable name, logged, and the request succeeds."""
        key = self.key_of(url)
        if key is not None:
            await self._forget([key])

    async def _forget(self, keys: list[str]) -> None:
        if not keys:
            return
        try:
            await obstore.delete_async(self._store, keys)
        except StorageError as error:
            log.warning("object storage kept %s (delete failed): %s", ", ".join(keys), error)

    def key_of(self, url: str | None) -> str | None:
        """The object key of a ``/media/…`` URL this store hands out; None for anything
        else (a GitHub avatar, a path outside the kinds' folders)."""
        if not url or not url.startswith(self._prefix + "/"):
            return None
        key = url[len(self._prefix) + 1 :]
        return key if _KEY.fullmatch(key) else None

    async def open(self, path: str) -> MediaObject | None:
        """The object at ``/media/<path>``, or None if there is none (or the path cannot
        name one). Unreachable storage is ``Unavailable``."""
        key = self.key_of(f"{self._prefix}/{path}")
        if key is None:
            return None
        try:
            result = await obstore.get_async(self._store, key)
        except FileNotFoundError:
            return None
        except StorageError as error:
            log.warning("object storage unreadable for %s: %s", key, error)
            raise Unavailable() from error
        # The type is the name's, not the object's stored Content-Type (which whoever wrote
        # the object chose): /media sends images only.
        content_type = CONTENT_TYPES[key.rsplit(".", 1)[-1]]

        async def chunks() -> AsyncIterator[bytes]:
            async for chunk in result.stream(min_chunk_size=256 * 1024):
                yield bytes(chunk)

        return MediaObject(content_type, result.meta["size"], chunks())
