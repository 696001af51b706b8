"""Pillow: the image checks and re-encoding; files under WAP_MEDIA_DIR served at /media."""

from __future__ import annotations

import asyncio
import io
import os
import warnings
from pathlib import Path

from PIL import Image, ImageOps, JpegImagePlugin, PngImagePlugin, UnidentifiedImageError

from wap.application.media.ports import (
    ImageKind,
    ImageProcessor,
    ImageStore,
    ProcessedImage,
    StoredImage,
)
from wap.domain.errors import ImageInvalid, ImageTooLarge

ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF"})
# Checked from the header, before a single pixel is decoded (docs/security.md, "Images").
MAX_SIDE = 8192  # each side of an upload
MAX_PIXELS = 24_000_000  # a 6000×4000 (24 Mpx) phone photo fits; 1 × 40,000,000 does not
MAX_DECODE_BYTES = 128 * 1024 * 1024  # what one decode may hold, estimated by decode_cost
DECODES_AT_ONCE = 2  # per process (and so per `wap serve` worker)
STORED_SIDE = 2048  # originals are stored at most this large a side

# A PNG's compressed text chunks are inflated when the file is opened, before any check of
# ours: Pillow's defaults let a 63 KB file hold 64 MB of text. We keep no text (images are
# re-encoded), so a little is enough; more is refused as image.invalid.
PngImagePlugin.MAX_TEXT_CHUNK = 64 * 1024
PngImagePlugin.MAX_TEXT_MEMORY = 256 * 1024

# Pillow keeps a pixel of these modes in 1 or 2 bytes; every other mode takes 4.
_BYTES_PER_PIXEL = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2, "I;16L": 2}


def decode_cost(image: Image.Image, original: tuple[int, int]) -> float:
    """Bytes one decode may hold at its peak, from the header alone: the raster Pillow
    decodes into (a JPEG's after ``draft``), and what the decoder keeps beside it. A
    progressive JPEG keeps 2 bytes of coefficients per pixel of each full-size plane,
    however small it is decoded; libwebp keeps two canvases and hands Pillow a copy."""
    width, height = image.size
    cost: float = width * height * _BYTES_PER_PIXEL.get(image.mode, 4)
    full = original[0] * original[1]
    if image.format == "WEBP":
        cost += full * 12
    if image.format == "JPEG" and image.info.get("progressive"):
        cost += full * 2 * _jpeg_planes(image)
    return cost


def _jpeg_planes(image: Image.Image) -> float:
    """How many full-size planes a JPEG's components add up to (chroma may be subsampled)."""
    bands = len(image.getbands())
    if bands != 3:
        return bands
    chroma = {0: 1.0, 1: 0.5, 2: 0.25}.get(JpegImagePlugin.get_sampling(image), 1.0)
    return 1 + 2 * chroma


def checked(image: Image.Image) -> None:
    """Refuse, from the header only, what is not an allowed format, is larger than the caps,
    or would take more than MAX_DECODE_BYTES to decode; set a JPEG to decode at the smallest
    scale (1/2, 1/4, 1/8) that still fills the stored size."""
    if image.format not in ALLOWED_FORMATS:  # what the bytes are, whatever the name said
        raise ImageInvalid(field="image")
    original = width, height = image.size
    if not (1 <= width <= MAX_SIDE and 1 <= height <= MAX_SIDE) or width * height > MAX_PIXELS:
        raise ImageInvalid(field="image")
    if image.format == "JPEG":
        scale = STORED_SIDE / max(width, height)
        image.draft(None, (max(1, int(width * scale)), max(1, int(height * scale))))
    if decode_cost(image, original) > MAX_DECODE_BYTES:
        raise ImageInvalid(field="image")


class PillowImageProcessor(ImageProcessor):
    """Bounded in memory and time: sides and pixels are checked from the header before
    decoding, a JPEG is decoded at the smallest scale that still fills the stored size, other
    images are reduced right after decoding, only the first frame of an animation is read,
    and at most ``DECODES_AT_ONCE`` images are decoded at once per process."""

    def __init__(self, at_once: int = DECODES_AT_ONCE) -> None:
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
                    checked(probe)
                    image = _decoded(probe)
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
        original = io.BytesIO()
        image.save(original, "WEBP", quality=88, method=4)
        thumb = ImageOps.fit(image, thumbnail, Image.Resampling.LANCZOS)
        small = io.BytesIO()
        thumb.save(small, "WEBP", quality=82, method=4)
        return ProcessedImage(original.getvalue(), small.getvalue(), "webp")


def _decoded(probe: Image.Image) -> Image.Image:
    """The first frame, at most STORED_SIDE a side, upright, RGBA. Only the decoded raster
    is ever full size: a JPEG decodes at 1/2, 1/4 or 1/8 scale when that still fills the
    stored size, and everything is shrunk by a whole factor a strip at a time."""
    probe.seek(0)
    probe.load()
    image = _reduced(probe, -(-max(probe.size) // STORED_SIDE))
    return ImageOps.exif_transpose(image).convert("RGBA")


STRIP_BYTES = 4 * 1024 * 1024


def _reduced(image: Image.Image, factor: int) -> Image.Image:
    """``image`` in RGB(A), shrunk by a whole ``factor`` (the average of each factor × factor
    block), a strip of rows at a time: converting the whole raster at once (a palette to RGB,
    RGBA to the premultiplied RGBa that resampling uses) would hold a second full-size copy."""
    mode = "RGBA" if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info else "RGB"
    width, height = image.size
    out = Image.new(mode, (-(-width // factor), -(-height // factor)))
    rows = max(1, STRIP_BYTES // (width * 4 * factor)) * factor
    for top in range(0, height, rows):
        strip = image.crop((0, top, width, min(top + rows, height))).convert(mode)
        out.paste(strip.reduce(factor) if factor > 1 else strip, (0, top // factor))
    out.info = dict(image.info)  # the EXIF orientation, for exif_transpose
    return out


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
