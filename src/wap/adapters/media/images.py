"""Pillow: the image checks and re-encoding; files under WAP_MEDIA_DIR served at /media."""

from __future__ import annotations

import asyncio
import io
import os
import warnings
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from wap.application.media import ImageKind, ImageProcessor, ImageStore, ProcessedImage, StoredImage
from wap.domain.errors import ImageInvalid, ImageTooLarge

ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF"})
MAX_PIXELS = 40_000_000  # a 6000×6000 photo fits; a decompression bomb does not
MAX_SIDE = 2048  # originals are scaled down to this


class PillowImageProcessor(ImageProcessor):
    """At most two images are decoded at once per process: a large photo takes hundreds of
    megabytes while it is decoded, and a burst of uploads must not take the machine."""

    def __init__(self, at_once: int = 2) -> None:
        self._gate = asyncio.Semaphore(at_once)

    async def process(
        self, data: bytes, *, max_bytes: int, thumbnail: tuple[int, int]
    ) -> ProcessedImage:
        if len(data) > max_bytes:
            raise ImageTooLarge(field="image")
        if not data:
            raise ImageInvalid(field="image")
        async with self._gate:
            return await asyncio.to_thread(self._process, data, thumbnail)

    @staticmethod
    def _process(data: bytes, thumbnail: tuple[int, int]) -> ProcessedImage:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(data)) as probe:
                    # The format is what the bytes are, whatever the name or type claimed.
                    if probe.format not in ALLOWED_FORMATS:
                        raise ImageInvalid(field="image")
                    width, height = probe.size
                    if width < 1 or height < 1 or width * height > MAX_PIXELS:
                        raise ImageInvalid(field="image")
                    probe.seek(0)
                    probe.load()
                    image = ImageOps.exif_transpose(probe).convert("RGBA")
        except ImageInvalid:
            raise
        except (
            UnidentifiedImageError,
            Image.DecompressionBombError,
            Image.DecompressionBombWarning,
        ):
            raise ImageInvalid(field="image") from None
        except (OSError, ValueError, SyntaxError, EOFError):  # truncated or corrupt data
            raise ImageInvalid(field="image") from None
        image.thumbnail((MAX_SIDE, MAX_SIDE))
        original = io.BytesIO()
        image.save(original, "WEBP", quality=88, method=4)
        thumb = ImageOps.fit(image, thumbnail, Image.Resampling.LANCZOS)
        small = io.BytesIO()
        thumb.save(small, "WEBP", quality=82, method=4)
        return ProcessedImage(original.getvalue(), small.getvalue(), "webp")


class FileImageStore(ImageStore):
    def __init__(self, root: Path, url_prefix: str = "/media") -> None:
        self._root = root
        self._prefix = url_prefix.rstrip("/")

    async def save(self, kind: ImageKind, name: str, image: ProcessedImage) -> StoredImage:
        folder = self._root / kind.value
        original = f"{name}.{image.extension}"
        small = f"{name}.thumb.{image.extension}"
        await asyncio.to_thread(
            self._write, folder, {original: image.original, small: image.thumbnail}
        )
        base = f"{self._prefix}/{kind.value}"
        return StoredImage(f"{base}/{original}", f"{base}/{small}")

    @staticmethod
    def _write(folder: Path, files: dict[str, bytes]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            partial = folder / f".{name}.part"
            partial.write_bytes(content)
            os.replace(partial, folder / name)  # readers never see half a file

    async def delete(self, url: str | None) -> None:
        if not url or not url.startswith(self._prefix + "/"):
            return
        relative = Path(url[len(self._prefix) + 1 :])
        if ".." in relative.parts:
            return
        await asyncio.to_thread((self._root / relative).unlink, missing_ok=True)
