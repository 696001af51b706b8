"""The outermost layer of the web app: every HTTP response gets its request id and the
security headers, and the web pages a strict CSP, in one pass over the response's start."""

from __future__ import annotations

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from wap.entrypoints.http.observability import REQUEST_ID_HEADER, PeerIsTrusted, request_id_of
from wap.entrypoints.logs import REQUEST_ID

PAGE_POLICY = (
    "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "object-src 'none'"
)
_CONTENT_TYPE = b"content-type"
_HTML = b"text/html"


def response_headers(app: ASGIApp, *, hsts: bool, peer_is_trusted: PeerIsTrusted) -> ASGIApp:
    """Wraps the whole app (unmatched routes and error pages too). Each HTTP request gets an
    id (observability.py: ``request_id_of``), kept in the logging context while it runs and
    returned as ``X-Request-ID``, beside the security headers; an HTML answer outside
    ``/schema`` gets the CSP. The app sets none of these itself, so they are appended, as
    bytes, to the headers it sends."""
    always = [
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"strict-origin-when-cross-origin"),
        (b"x-frame-options", b"DENY"),
    ]
    if hsts:
        always.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
    csp = (b"content-security-policy", PAGE_POLICY.encode())

    async def with_headers(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        request_id = request_id_of(scope, peer_is_trusted)
        added = [*always, (REQUEST_ID_HEADER, request_id.encode())]
        pages = not scope["path"].startswith("/schema")

        async def send_with(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if pages:
                    for name, value in headers:
                        if name.lower() == _CONTENT_TYPE:
                            if value.startswith(_HTML):
                                added.append(csp)
                            break
                headers.extend(added)
                message["headers"] = headers
            await send(message)

        token = REQUEST_ID.set(request_id)
        try:
            await app(scope, receive, send_with)
        finally:
            REQUEST_ID.reset(token)

    return with_headers
