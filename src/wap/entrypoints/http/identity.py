"""Who is asking: bearer tokens for apps, cookies (with CSRF protection) for browsers."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from dishka import AsyncContainer, Provider, Scope, from_context, provide
from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from wap.application.auth.sessions import Authenticate, TokenPair
from wap.application.limits import RateLimiter
from wap.domain.auth import ACCESS_TOKEN_SECONDS, REFRESH_TOKEN_SECONDS
from wap.domain.errors import AuthRequired, CsrfFailed, RateLimited, TokenInvalid
from wap.domain.members import Actor
from wap.domain.views import Viewer
from wap.entrypoints.config import Settings

ACCESS_COOKIE = "wap_access"
REFRESH_COOKIE = "wap_refresh"
CSRF_COOKIE = "wap_csrf"
CSRF_HEADER = "x-csrf-token"
REFRESH_COOKIE_PATH = "/api/v1/auth"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_TOKEN_LENGTH = 4096


@dataclass(frozen=True, slots=True)
class Identity:
    """The caller of this request. The guards name the SPEC's codes for each kind of refusal."""

    actor: Actor | None = None
    session_id: str | None = None
    client_ip: str = "unknown"

    @property
    def viewer(self) -> Viewer:
        """Who a view is counted for: the member when signed in, else the client's address."""
        if self.actor is not None:
            return Viewer.member(self.actor.member_id)
        return Viewer.address(self.client_ip)

    def signed_in(self) -> Actor:
        if self.actor is None:
            raise AuthRequired()
        return self.actor

    def approved(self) -> Actor:
        actor = self.signed_in()
        actor.ensure_approved()
        return actor

    def officer(self) -> Actor:
        actor = self.signed_in()
        actor.ensure_officer()
        return actor


def ensure_csrf(request: Request[Any, Any, Any]) -> None:
    """Double-submit check: the header must repeat the (script-readable) CSRF cookie."""
    header = request.headers.get(CSRF_HEADER, "")
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not header or not cookie or not hmac.compare_digest(header.encode(), cookie.encode()):
        raise CsrfFailed()


def client_ip(request: Request[Any, Any, Any], trusted_proxies: frozenset[str]) -> str:
    """The peer's address; behind a trusted proxy, the nearest untrusted X-Forwarded-For hop.

    X-Forwarded-For is believed only from a peer listed in WAP_TRUSTED_PROXIES, and read
    from the right, skipping our own proxies, so a client cannot forge its address."""
    client = request.scope.get("client")
    peer = str(client[0]) if client else "unknown"
    if peer not in trusted_proxies:
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted_proxies:
            return hop[:64]
    return peer


async def auth_rate_limit(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """Guard of /auth/*: WAP_AUTH_RATE_LIMIT per client address (``rate.limited`` beyond)."""
    container = connection.state.dishka_container  # the request scope dishka opened
    settings = await container.get(Settings)
    limiter = await container.get(RateLimiter)
    address = client_ip(connection, settings.trusted_proxies)  # type: ignore[arg-type]
    limit = settings.auth_rate_limit
    if not await limiter.hit(f"auth:{address}", limit.count, limit.per_seconds):
        raise RateLimited()


def is_api(request: Request[Any, Any, Any]) -> bool:
    return str(request.scope.get("path", "")).startswith("/api/")


def credentials(request: Request[Any, Any, Any]) -> tuple[str | None, bool]:
    """The access token and whether it came from a cookie."""
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH:
            raise TokenInvalid()
        return token, False
    cookie = request.cookies.get(ACCESS_COOKIE)
    if cookie:
        if len(cookie) > MAX_TOKEN_LENGTH:
            raise TokenInvalid()
        return cookie, True
    return None, False


class HttpProvider(Provider):
    request = from_context(provides=Request, scope=Scope.REQUEST)

    @provide(scope=Scope.REQUEST)
    async def identity(
        self,
        request: Request,  # type: ignore[type-arg]
        container: AsyncContainer,
        settings: Settings,
    ) -> Identity:
        address = client_ip(request, settings.trusted_proxies)
        token, from_cookie = credentials(request)
        if token is None:
            return Identity(client_ip=address)
        # Only a caller with a token needs the session store and the members' table.
        authenticate = await container.get(Authenticate)
        # The API's cookie clients send the token in a header; the web pages' forms carry it
        # in a field, which their handlers check (entrypoints/web/pages.py).
        if from_cookie and request.method in UNSAFE_METHODS and is_api(request):
            ensure_csrf(request)
        actor, session_id = await authenticate(token)
        return Identity(actor, session_id, address)


def set_session_cookies(
    response: Response[Any], pair: TokenPair, settings: Settings, csrf_token: str
) -> None:
    common: dict[str, Any] = {"secure": settings.cookie_secure, "samesite": "lax"}
    response.set_cookie(
        ACCESS_COOKIE,
        pair.access_token,
        max_age=ACCESS_TOKEN_SECONDS,
        httponly=True,
        path="/",
        **common,
    )
    response.set_cookie(
        REFRESH_COOKIE,
        pair.refresh_token,
        max_age=REFRESH_TOKEN_SECONDS,
        httponly=True,
        path=REFRESH_COOKIE_PATH,
        **common,
    )
    # Readable by the page's script, which sends it back in the X-CSRF-Token header.
    response.set_cookie(
        CSRF_COOKIE, csrf_token, max_age=REFRESH_TOKEN_SECONDS, httponly=False, path="/", **common
    )


def clear_session_cookies(response: Response[Any], settings: Settings) -> None:
    for name, path in (
        (ACCESS_COOKIE, "/"),
        (REFRESH_COOKIE, REFRESH_COOKIE_PATH),
        (CSRF_COOKIE, "/"),
    ):
        response.delete_cookie(name, path=path)
