"""The Pillow processor's bounds, decided from the header: sides, pixels, decode memory;
and what it keeps: the first frame, upright, at most STORED_SIDE a side."""

from __future__ import annotations

import io
import tracemalloc

import pytest
from PIL import Image, PngImagePlugin

from wap.adapters.media.images import (
    MAX_DECODE_BYTES,
    MAX_PIXELS,
    MAX_SIDE,
    STORED_SIDE,
    PillowImageProcessor,
    checked,
)
from wap.domain.errors import ImageInvalid


def encoded(image: Image.Image, kind: str = "PNG", **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


async def stored(data: bytes) -> Image.Image:
    done = await PillowImageProcessor().process(data, max_bytes=50_000_000, thumbnail=(32, 18))
    with Image.open(io.BytesIO(done.thumbnail)) as thumb:
        assert thumb.size == (32, 18)
    return Image.open(io.BytesIO(done.original))


@pytest.mark.parametrize(
    ("size", "accepted"),
    [
        ((MAX_SIDE, 100), True),
        ((MAX_SIDE + 1, 1), False),
        ((1, MAX_SIDE + 1), False),
        ((6000, 4000), True),  # a phone photo: 24 Mpx
        ((4898, 4898), True),
        ((4899, 4899), False),  # 24,000,201 pixels
    ],
)
def test_sides_and_pixels_are_capped_from_the_header(size: tuple[int, int], accepted: bool) -> None:
    header_only = Image.open(io.BytesIO(encoded(Image.new("L", size))))
    if accepted:
        checked(header_only)
    else:
        with pytest.raises(ImageInvalid):
            checked(header_only)
    assert header_only.tile  # nothing was decoded
    assert (size[0] * size[1] <= MAX_PIXELS) or not accepted


@pytest.mark.parametrize(
    ("image", "kind", "options"),
    [
        (Image.new("RGB", (6000, 4000)), "JPEG", {"progressive": True, "subsampling": 0}),
        (Image.new("CMYK", (5000, 4000)), "JPEG", {"progressive": True}),
        (Image.new("RGBA", (3000, 3000)), "WEBP", {"lossless": True}),
    ],
    ids=["progressive-444-24mpx", "progressive-cmyk-20mpx", "webp-9mpx"],
)
def test_what_would_take_more_than_the_decode_budget_is_refused_undecoded(
    image: Image.Image, kind: str, options: dict[str, object]
) -> None:
    with pytest.raises(ImageInvalid):
        checked(Image.open(io.BytesIO(encoded(image, kind, **options))))
    assert MAX_DECODE_BYTES == 128 * 1024 * 1024  # docs/security.md states these figures


async def test_a_large_photo_is_stored_at_most_the_stored_side_and_upright() -> None:
    photo = Image.new("RGB", (6000, 4000), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to show
    original = await stored(encoded(photo, "JPEG", exif=exif.tobytes()))
    assert max(original.size) <= STORED_SIDE
    assert original.size[1] > original.size[0]  # turned upright
    assert original.getpixel((5, 5))[:3] == pytest.approx((200, 30, 30), abs=8)  # type: ignore[index]


async def test_only_the_first_frame_of_an_animation_is_kept() -> None:
    frames = [Image.new("P", (40, 40), colour) for colour in (1, 2, 3)]
    for index, frame in enumerate(frames):
        frame.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255] + [0] * 756)
        frames[index] = frame
    gif = encoded(frames[0], "GIF", save_all=True, append_images=frames[1:])
    assert Image.open(io.BytesIO(gif)).n_frames == 3
    first = await stored(gif)
    assert first.convert("RGB").getpixel((20, 20)) == pytest.approx((255, 0, 0), abs=8)


async def test_transparency_and_grey_depths_survive() -> None:
    clear = Image.new("P", (300, 200), 0)
    clear.putpalette([0, 0, 0] * 256)
    clear.info["transparency"] = 0
    assert (await stored(encoded(clear))).getpixel((10, 10))[3] == 0  # type: ignore[index]
    deep = Image.new("I;16", (300, 200), 40_000)
    assert (await stored(encoded(deep))).size == (300, 200)


def test_compressed_png_text_cannot_inflate_into_memory() -> None:
    """A 16×16 PNG whose compressed text chunks inflate to 48 MB (a 50 KB file): refused
    without the text ever being inflated (Pillow's defaults took 64 MB per file)."""
    info = PngImagePlugin.PngInfo()
    for i in range(48):
        info.add_text(f"k{i}", "\0" * 1_000_000, zip=True)
    data = encoded(Image.new("RGB", (16, 16)), pnginfo=info)
    assert len(data) < 100_000
    tracemalloc.start()
    try:
        with pytest.raises(ImageInvalid):
            PillowImageProcessor._process(data, (32, 18))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1024 * 1024, peak
    # A little text (a camera's or an editor's) is no reason to refuse a picture.
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", "an editor", zip=True)
    PillowImageProcessor._process(encoded(Image.new("RGB", (16, 16)), pnginfo=info), (32, 18))
