"""The old service's image files: a local folder with the bucket's layout, or its public
URLs over HTTP(S). (A source reading the bucket with credentials can reuse the S3 storage
adapter; see docs/legacy-import.md.)"""

from __future__ import annotations

import asyncio
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import httpx

from wap.application.legacy.ports import LegacyImageSource, LegacyImageUnavailable

MAX_FETCH_BYTES = 32 * 1024 * 1024  # far above any upload the old service took


class FolderLegacyImages(LegacyImageSource):
    """``https://<bucket>.s3.<region>.amazonaws.com/<path>`` is read from ``<root>/<path>``
    (a copy of the bucket, e.g. made with ``aws s3 sync s3://<bucket> <root>``)."""

    def __init__(self, root: Path) -> None:
        self._root = root.resolve()

    def path_of(self, url: str) -> Path:
        parts = PurePosixPath(unquote(urlsplit(url).path)).parts
        relative = [p for p in parts if p not in ("/", "")]
        if not relative or any(p in (".", "..") for p in relative):
            raise LegacyImageUnavailable(f"{url} names no file in the folder")
        return self._root.joinpath(*relative)

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
