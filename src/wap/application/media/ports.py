"""What uploads need of the image library and of the file store."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

import msgspec


class ImageKind(StrEnum):
    TEAM = "teams"
    AVATAR = "avatars"


@dataclass(frozen=True, slots=True)
class ProcessedImage:
    original: bytes
    thumbnail: bytes
    extension: str


class ImageProcessor(Protocol):
    @abstractmethod
    async def process(
        self, data: bytes, *, max_bytes: int, thumbnail: tuple[int, int]
    ) -> ProcessedImage:
        """Check that ``data`` is a real image of an allowed format and size, and re-encode
        it (dropping metadata) with a cover-cropped thumbnail. Raises ``ImageInvalid`` or
        ``ImageTooLarge``."""


class StoredImage(msgspec.Struct, frozen=True):
    url: str
    thumbnail_url: str


class ImageStore(Protocol):
    @abstractmethod
    async def save(self, kind: ImageKind, name: str, image: ProcessedImage) -> StoredImage: ...

    @abstractmethod
    async def delete(self, url: str | None) -> None:
        """Remove a file this store wrote; ignore anything else (a GitHub avatar URL)."""
