"""The old service's image files: the old bucket read with credentials (obstore, as our S3
image store), a local folder with the bucket's layout, or its public URLs over HTTP(S)."""

from __future__ import annotations

import asyncio
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import httpx
import obstore
from obstore.exceptions import BaseError, PermissionDeniedError, UnauthenticatedError
from obstore.store import S3Store

from wap.application.legacy.ports import (
    LegacyImageSource,
    LegacyImagesUnreachable,
    LegacyImageUnavailable,
)

MAX_FETCH_BYTES = 32 * 1024 * 1024  # far above any upload the old service took


def object_key(url: str) -> str:
    """The object key an old image URL names: the path of a virtual-hosted URL
    (``https://<bucket>.s3.<region>.amazonaws.com/<key>``, what the old service wrote), or
    of a path-style one after its bucket (``https://s3.<region>.amazonaws.com/<bucket>/<key>``).
    Raises ``LegacyImageUnavailable`` for a URL that names no object (or climbs out with ``..``)."""
    parts = urlsplit(url)
    segments = [p for p in PurePosixPath(unquote(parts.path)).parts if p not in ("/", "")]
    host = (parts.hostname or "").lower()
    if host.endswith("amazonaws.com") and host.startswith(("s3.", "s3-")):
        segments = segments[1:]  # path-style: the first segment is the bucket
    if not segments or any(p in (".", "..") for p in segments):
        raise LegacyImageUnavailable(f"{url} names no file in the folder")
    return "/".join(segments)


class FolderLegacyImages(LegacyImageSource):
    """``https://<bucket>.s3.<region>.amazonaws.com/<path>`` is read from ``<root>/<path>``
    (a copy of the bucket, e.g. made with ``aws s3 sync s3://<bucket> <root>``)."""

    def __init__(self, root: Path) -> None:
        self._root = root.resolve()

    def path_of(self, url: str) -> Path:
        return self._root.joinpath(*object_key(url).split("/"))

    async def fetch(self, url: str) -> bytes:
        path = self.path_of(url)
        try:
            if path.stat().st_size > MAX_FETCH_BYTES:
                raise LegacyImageUnavailable(f"{path} is larger than {MAX_FETCH_BYTES} bytes")
            return await asyncio.to_thread(path.read_bytes)
        except OSError as error:
            raise LegacyImageUnavailable(f"{path}: {error.strerror or error}") from None


class HttpLegacyImages(LegacyImageSource):
    """The old public URLs, fetched with httpx (the bucket allowed anonymous reads)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def fetch(self, url: str) -> bytes:
        try:
            async with self._client.stream("GET", url, follow_redirects=True) as response:
                if response.status_code != 200:
                    raise LegacyImageUnavailable(f"HTTP {response.status_code}")
                chunks, size = [], 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > MAX_FETCH_BYTES:
                        raise LegacyImageUnavailable(f"larger than {MAX_FETCH_BYTES} bytes")
                    chunks.append(chunk)
                return b"".join(chunks)
        except httpx.HTTPError as error:
            raise LegacyImageUnavailable(f"{type(error).__name__}: {error}") from None


class S3LegacyImages(LegacyImageSource):
    """The old bucket itself, read with credentials given for it (``--images-from
    s3://<bucket>[/<prefix>]`` and the ``WAP_LEGACY_S3_*`` settings). An old URL's path is
    the object's key under ``prefix`` (empty for the old bucket; a folder when the bucket was
    copied into one of another bucket). A missing or refused object is that image's problem
    (its old URL is kept); a bucket that cannot be reached at all stops the import."""

    def __init__(self, store: S3Store) -> None:
        self._store = store

    async def fetch(self, url: str) -> bytes:
        key = object_key(url)
        try:
            result = await obstore.get_async(self._store, key)
            size = int(result.meta["size"])
            if size > MAX_FETCH_BYTES:
                raise LegacyImageUnavailable(f"{key} is larger than {MAX_FETCH_BYTES} bytes")
            return bytes(await result.bytes_async())
        except FileNotFoundError:
            raise LegacyImageUnavailable(f"no object {key} in the old bucket") from None
        except (PermissionDeniedError, UnauthenticatedError) as error:
            raise LegacyImageUnavailable(f"{key} refused: {_first_line(error)}") from None
        except (BaseError, OSError) as error:
            raise LegacyImagesUnreachable(
                f"the old bucket cannot be read: {_first_line(error)}"
            ) from None


def _first_line(error: BaseException) -> str:
    """obstore's messages run over many lines (the whole error chain); the report takes one."""
    text = str(error).strip().splitlines()
    return text[0][:300] if text else type(error).__name__
