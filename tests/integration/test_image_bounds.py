"""Image uploads are bounded in memory: a `wap serve` process's peak RSS (``VmHWM``) hardly
moves for a 78 KB PNG that declares 1 × 40,000,000 pixels (refused from its header), and
stays under a stated bound while the worst images it accepts are decoded, several at once.
Times are printed for docs/security.md, never asserted."""

from __future__ import annotations

import asyncio
import io
import struct
import time
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from PIL import Image

from tests.builders import NOW
from tests.integration.http.conftest import SECRET, serving
from tests.integration.http.fakes import FakeGitHub, GitHubUser
from tests.integration.served import Served, start_wap_serve
from wap.adapters.media.images import DECODES_AT_ONCE, MAX_PIXELS, MAX_SIDE
from wap.adapters.sql.engine import create_engine, create_sessionmaker
from wap.adapters.sql.members import SqlMemberRepository
from wap.adapters.sql.migrate import upgrade_engine
from wap.adapters.sql.touched import Touched
from wap.domain.catalog import Position
from wap.domain.members import GitHubIdentity, MemberStatus, Name, NewMember, StudentNumber

MIB = 1024
# The server process at rest (about 120 MiB), plus DECODES_AT_ONCE decodes of the worst
# accepted image (about 75 MiB each); measured 267 MiB in all (docs/security.md).
PEAK_BOUND_MIB = 400
HEADER_ONLY_MIB = 20  # what refusing from the header may move the peak by, at most


def tall_thin_png(width: int, height: int) -> bytes:
    """A valid 8-bit grey PNG of ``width`` × ``height`` black pixels, compressed row by row
    so that building it takes no memory (1 × 40,000,000 is 78 KB)."""
    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * width
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


def encoded(image: Image.Image, kind: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


@dataclass
class Uploader:
    served: Served
    client: httpx.AsyncClient
    token: str

    async def upload(self, data: bytes, name: str = "x.png") -> httpx.Response:
        return await self.client.put(
            "/api/v1/members/me/avatar",
            files={"image": (name, data, "application/octet-stream")},
            headers={"Authorization": f"Bearer {self.token}"},
        )


@asynccontextmanager
async def uploader(home: Path) -> AsyncIterator[Uploader]:
    """`wap serve` on a SQLite file of its own, with one approved member signed in through a
    fake GitHub (served by this test's loop)."""
    url = f"sqlite+aiosqlite:///{home / 'wap.db'}"
    engine = create_engine(url)
    await upgrade_engine(engine)
    person = NewMember.signed_in(GitHubIdentity(4242, "uploader"), NOW)
    person.register(
        name=Name("Uploader"),
        student_number=StudentNumber("202400042"),
        position=Position.BACKEND,
        email="uploader@pukyong.ac.kr",
        as_officer=False,
    )
    person.status = MemberStatus.APPROVED
    async with create_sessionmaker(engine)() as session:
        await SqlMemberRepository(session, Touched()).add(person)
        await session.commit()
    await engine.dispose()
    github = FakeGitHub()
    async with serving(github.app()) as github_url:
        env = {
            "WAP_DATABASE_URL": url,
            "WAP_SECRET_KEY": SECRET,
            "WAP_GITHUB_CLIENT_ID": github.client_id,
            "WAP_GITHUB_CLIENT_SECRET": github.client_secret,
            "WAP_GITHUB_AUTHORIZE_URL": f"{github_url}/login/oauth/authorize",
            "WAP_GITHUB_TOKEN_URL": f"{github_url}/login/oauth/access_token",
            "WAP_GITHUB_API_URL": github_url,
            "WAP_MEDIA_DIR": str(home / "media"),
            "WAP_COOKIE_SECURE": "false",
        }
        served = await asyncio.to_thread(start_wap_serve, home, env=env)
        try:
            async with httpx.AsyncClient(base_url=served.url, timeout=120) as client:
                code = github.issue_code(GitHubUser(4242, "uploader"))
                signed = await client.post("/api/v1/auth/github/token", json={"code": code})
                assert signed.status_code == 200, signed.text
                yield Uploader(served, client, signed.json()["access_token"])
        finally:
            await asyncio.to_thread(served.stop)


async def test_a_png_declaring_1_by_40_million_pixels_is_refused_from_its_header(
    tmp_path: Path,
) -> None:
    bomb = tall_thin_png(1, 40_000_000)
    assert len(bomb) < 100_000
    async with uploader(tmp_path) as it:
        warm = await it.upload(encoded(Image.new("RGB", (64, 64), "red"), "PNG"))
        assert warm.status_code == 200, warm.text  # every import and pool is warm
        before = it.served.peak_rss_kib()
        started = time.perf_counter()
        refused = await it.upload(bomb)
        took = time.perf_counter() - started
        moved = (it.served.peak_rss_kib() - before) / MIB
    print(
        f"\n1 x 40,000,000 PNG ({len(bomb)} bytes): refused in {took:.3f} s, peak +{moved:.1f} MiB"
    )
    assert refused.status_code == 400 and refused.json()["code"] == "image.invalid", refused.text
    assert moved < HEADER_ONLY_MIB, f"the peak RSS moved by {moved:.0f} MiB: it was decoded"


def worst_accepted() -> dict[str, bytes]:
    """At the caps: 24 Mpx RGBA PNGs (the most a decode holds of any accepted image), one
    at the longest side, and a 24 Mpx progressive JPEG."""
    square = int(MAX_PIXELS**0.5)
    long_side = (MAX_SIDE, MAX_PIXELS // MAX_SIDE)
    return {
        "png-24mpx.png": encoded(Image.new("RGBA", (square, square), (9, 90, 9, 99)), "PNG"),
        "png-8192.png": encoded(Image.new("RGBA", long_side, (9, 90, 9, 99)), "PNG"),
        "jpeg-24mpx.jpg": encoded(
            Image.new("RGB", (6000, 4000), (9, 90, 9)), "JPEG", progressive=True
        ),
    }


async def test_the_worst_accepted_images_keep_the_peak_rss_under_its_bound(
    tmp_path: Path,
) -> None:
    images = worst_accepted()
    async with uploader(tmp_path) as it:
        at_rest = it.served.peak_rss_kib() / MIB
        for name, data in images.items():
            started = time.perf_counter()
            alone = await it.upload(data, name)
            assert alone.status_code == 200, (name, alone.text)
            print(f"\n{name}: {time.perf_counter() - started:.2f} s alone")
        started = time.perf_counter()
        burst = await asyncio.gather(
            *(it.upload(data, name) for name, data in images.items() for _ in range(2))
        )
        took = time.perf_counter() - started
        peak = it.served.peak_rss_kib() / MIB
    assert [r.status_code for r in burst] == [200] * len(burst), [r.text for r in burst]
    print(
        f"server at rest {at_rest:.0f} MiB; {len(burst)} uploads at once "
        f"({DECODES_AT_ONCE} decoded at a time) in {took:.2f} s; peak {peak:.0f} MiB"
    )
    assert peak < PEAK_BOUND_MIB, f"peak RSS {peak:.0f} MiB"
