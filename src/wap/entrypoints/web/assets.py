"""The pages' own files under ``/static/web`` and the favicon: cached, then revalidated.

Every answer carries the file's ``ETag`` (Litestar's, from its modification time, size and
path) and ``Cache-Control: no-cache``: a browser keeps the file and asks again with
``If-None-Match``, and an unchanged file answers ``304 Not Modified`` without a body. Names
stay plain (``app.css``), so a deploy is seen on the next page view; no build step renames
them (docs/operations.md)."""

from __future__ import annotations

from pathlib import Path

from litestar import get
from litestar.datastructures import CacheControlHeader
from litestar.enums import ScopeType
from litestar.response import File
from litestar.types import ASGIApp, Message, Receive, Scope, Send

STATIC = Path(__file__).parent / "static"
REVALIDATE = CacheControlHeader(no_cache=True, public=True)
KEPT_ON_304 = (b"etag", b"cache-control", b"vary", b"date")


def _etags(value: str) -> set[str]:
    """The tags of an ``If-None-Match`` (weak ``W/`` tags compare equal, RFC 9110 13.1.2)."""
    return {tag.strip().removeprefix("W/") for tag in value.split(",") if tag.strip()}


def not_modified(app: ASGIApp) -> ASGIApp:
    """Middleware: a GET or HEAD whose ``If-None-Match`` names the file's ETag (or ``*``)
    gets 304 with the ETag and the cache headers, and the file is not sent."""

    async def guard(scope: Scope, receive: Receive, send: Send) -> None:
        asked = ""
        if scope["type"] == ScopeType.HTTP and scope.get("method") in ("GET", "HEAD"):
            for name, value in scope.get("headers", ()):
                if name == b"if-none-match":
                    asked = value.decode("latin-1")
        if not asked:
            await app(scope, receive, send)
            return
        wanted = _etags(asked)
        replaced = False

        async def send_or_304(message: Message) -> None:
            nonlocal replaced
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                etag = next((v.decode("latin-1") for n, v in headers if n.lower() == b"etag"), "")
                if message["status"] == 200 and etag and ("*" in wanted or etag in wanted):
                    replaced = True
                    kept = [(n, v) for n, v in headers if n.lower() in KEPT_ON_304]
                    await send({"type": "http.response.start", "status": 304, "headers": kept})
                    return
            elif replaced:
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send(message)

        await app(scope, receive, send_or_304)

    return guard


@get(
    "/favicon.ico",
    include_in_schema=False,
    cache_control=REVALIDATE,
    middleware=[not_modified],
    sync_to_thread=False,
)
def favicon() -> File:
    """Browsers that ask for ``/favicon.ico`` before reading the page's ``<link rel=icon>``
    get the same SVG (``/static/web/favicon.svg``)."""
    return File(
        STATIC / "favicon.svg", media_type="image/svg+xml", content_disposition_type="inline"
    )
