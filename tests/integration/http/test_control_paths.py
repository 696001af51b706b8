"""Paths with NUL or control characters name nothing: 404 or 400, never a 500, and no
request can forge a log line (in the app's logs or `wap serve --access-log`)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.integration.http.conftest import World
from tests.integration.served import wap_serve

PREFIXES = (
    "/media/",
    "/media/avatars/",
    "/static/web/",
    "/static/swagger/",
    "/api/v1/",
    "/api/v1/teams/",
    "/api/v1/admin/exports/",
    "/teams/",
    "/members/",
    "/",
    "/schema/",
)
# Each names a forged log line, so a log that shows it raw is caught.
TAILS = (
    b"%00FORGED",
    b"x%00.png",
    b"%0AFORGED",
    b"x%0D%0AFORGED",
    b"%1B[31mFORGED",
    b"x%7FFORGED",
    b"%C2%85FORGED",  # NEL, a C1 control
    b"1%0AFORGED",
    b"\xff%0AFORGED",  # a raw byte too
    b"x\x1bFORGED",  # a raw ESC
)


async def raw_get(url: str, target: bytes, token: str = "") -> int:
    """GET ``target`` exactly as given (no client-side quoting); the status, 0 if none."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    auth = f"Authorization: Bearer {token}\r\n".encode() if token else b""
    writer.write(
        b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n" + auth + b"Connection: close\r\n\r\n"
    )
    await writer.drain()
    answer = await reader.read()
    writer.close()
    await writer.wait_closed()
    status_line = answer.split(b"\r\n", 1)[0].split()
    return int(status_line[1]) if len(status_line) > 1 else 0


def targets() -> list[bytes]:
    return [prefix.encode() + tail for prefix in PREFIXES for tail in TAILS]


@pytest.fixture
def backend() -> str:
    return "sqlite"


async def test_control_characters_in_paths_are_not_found_and_forge_no_log_line(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    officer = await world.account("Officer", officer=True)
    (world.settings.media_dir / "avatars").mkdir(parents=True, exist_ok=True)
    caplog.set_level(logging.DEBUG)
    url = str(world.client.base_url)
    for token in ("", officer.token):
        for target in targets():
            status = await raw_get(url, target, token)
            assert status in (400, 404), (target, status)
    for record in caplog.records:
        line = record.getMessage()
        assert "\n" not in line and "\r" not in line and "\x1b" not in line, line
        assert "\x00" not in line and "\x85" not in line, line


def test_the_access_log_of_wap_serve_shows_no_forged_line(tmp_path: Path) -> None:
    with wap_serve(tmp_path, "--access-log") as served:
        statuses = asyncio.run(asyncio.wait_for(_walk(served.url), 120))
    assert set(statuses) <= {400, 404}, statuses
    log = served.output()
    assert b"\x1b" not in log and b"\x00" not in log, log[-2000:]
    for line in log.splitlines():
        assert not line.startswith(b"FORGED") and not line.startswith(b"[31m"), line


async def _walk(url: str) -> list[int]:
    return [await raw_get(url, target) for target in targets()]


async def test_a_path_no_file_can_have_is_not_found(world: World) -> None:
    """A file used as a folder, or a name longer than the file system allows, under every
    static prefix: 404 like any missing file (Litestar makes a 500 of other OSErrors)."""
    avatars = world.settings.media_dir / "avatars"
    avatars.mkdir(parents=True, exist_ok=True)
    (avatars / "a.webp").write_bytes(b"RIFF")
    url = str(world.client.base_url)
    long_name = b"a" * 300
    for target in (
        b"/static/web/app.css/x",
        b"/static/swagger/swagger-ui.css/x",
        b"/media/avatars/a.webp/x",
        b"/media/" + long_name,
        b"/static/web/" + long_name,
        b"/static/swagger/" + long_name,
    ):
        assert await raw_get(url, target) == 404, target
    assert await raw_get(url, b"/media/avatars/a.webp") == 200
