"""Security headers on every response; a strict CSP on the web pages."""

from __future__ import annotations

from collections.abc import Callable

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = (
    "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "object-src 'none'"
)


def security_headers(hsts: bool) -> Callable[[ASGIApp], ASGIApp]:
    always = [
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"strict-origin-when-cross-origin"),
        (b"x-frame-options", b"DENY"),
    ]
    if hsts:
        always.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
    csp = (b"content-security-policy", PAGE_POLICY.encode())

    def middleware(app: ASGIApp) -> ASGIApp:
        async def with_headers(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != ScopeType.HTTP:
                await app(scope, receive, send)
                return
            pages = not str(scope.get("path", "")).startswith("/schema")

            async def send_with(message: Message) -> None:
                if message["type"] == "http.response.start":
                    # The app sets none of these itself: appending is enough (and cheap).
                    headers = list(message.get("headers", ()))
                    html = pages and any(
                        name.lower() == b"content-type" and value.startswith(b"text/html")
                        for name, value in headers
                    )
                    headers.extend(always)
                    if html:
                        headers.append(csp)
                    message["headers"] = headers
                await send(message)

            await app(scope, receive, send_with)

        return with_headers

    return middleware
