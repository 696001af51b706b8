"""Paths that name nothing: a control character (NUL, CR, LF, ESC, C1) in a decoded path."""

from __future__ import annotations

import re
from typing import Any

from litestar.enums import ScopeType
from litestar.exceptions import NotFoundException
from litestar.file_system import BaseLocalFileSystem
from litestar.types import ASGIApp, Receive, Scope, Send
from litestar.types.file_types import FileInfo


def is_control(ch: str) -> bool:
    """C0 and C1 control characters and DEL."""
    code = ord(ch)
    return code < 0x20 or 0x7F <= code <= 0x9F


# The same characters as is_control, for a whole path in one scan (it runs on every request).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def printable(text: str, limit: int = 200) -> str:
    """``text`` for a log line: control characters escaped (``\\n`` → ``\\x0a``), so a
    request cannot start a forged line or colour a terminal; at most ``limit`` characters."""
    return "".join(f"\\x{ord(ch):02x}" if is_control(ch) else ch for ch in text[:limit])


def refuse_control_paths(app: ASGIApp) -> ASGIApp:
    """404 for a path holding a control character, before any handler (or the static
    files' ``stat``, which fails on NUL) sees it. Every route is behind it: pages, the API,
    ``/media`` and ``/static``."""

    async def guard(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and _CONTROL.search(scope.get("path", "")):
            raise NotFoundException()
        await app(scope, receive, send)

    return guard


class StaticFiles(BaseLocalFileSystem):
    """The files under ``/static`` and ``/media``. A path that cannot name a file there
    (``app.css/x``: a file used as a folder; a name longer than the file system allows) is
    404 like any missing file, not the 500 Litestar makes of every other ``OSError``."""

    async def info(self, path: Any, **kwargs: Any) -> FileInfo:
        try:
            return await super().info(path, **kwargs)
        except PermissionError:
            raise
        except OSError as error:
            raise FileNotFoundError(str(path)) from error
