"""Security headers on every response; a strict CSP on the web pages."""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = (
    "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "object-src 'none'"
)


def security_headers(hsts: bool) -> object:
    def middleware(app: ASGIApp) -> ASGIApp:
        async def with_headers(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != ScopeType.HTTP:
                await app(scope, receive, send)
                return
            path = str(scope.get("path", ""))

            async def send_with(message: Message) -> None:
                if message["type"] == "http.response.start":
                    headers = MutableScopeHeaders.from_message(message)
                    headers["X-Content-Type-Options"] = "nosniff"
                    headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
                    headers["X-Frame-Options"] = "DENY"
                    if hsts:
                        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
                    html = (headers.get("content-type") or "").startswith("text/html")
                    if html and not path.startswith("/schema"):
                        headers["Content-Security-Policy"] = PAGE_POLICY
                await send(message)

            await app(scope, receive, send_with)

        return with_headers

    return middleware
