"""Who is asking: bearer tokens for apps, cookies (with CSRF protection) for browsers."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from dishka import AsyncContainer, Provider, Scope, from_context, provide
from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from wap.application.auth.sessions import Authenticate, TokenPair
from wap.application.limits import AuthLimits
from wap.domain.auth import ACCESS_TOKEN_SECONDS, REFRESH_TOKEN_SECONDS
from wap.domain.errors import AuthRequired, CsrfFailed, TokenInvalid
from wap.domain.members import Actor
from wap.domain.views import Viewer
from wap.entrypoints.config import Settings
from wap.entrypoints.http.proxies import TrustedProxies

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


async def auth_rate_limit(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """Guard of the sign-in routes: WAP_AUTH_RATE_LIMIT per client address (``rate.limited``
    beyond). Refresh and logout are limited per session instead (application/limits.py)."""
    container = connection.state.dishka_container  # the request scope dishka opened
    proxies = await container.get(TrustedProxies)
    limits = await container.get(AuthLimits)
    await limits.address(proxies.client_address(connection.scope, connection.headers))


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

    @provide(scope=Scope.APP)
    async def trusted_proxies(self, settings: Settings) -> AsyncIterator[TrustedProxies]:
        # One per app: its host names are resolved at start, then kept fresh in the background.
        async with TrustedProxies.from_entries(settings.trusted_proxies).running() as proxies:
            yield proxies

    @provide(scope=Scope.REQUEST)
    async def identity(
        self,
        request: Request,  # type: ignore[type-arg]
        container: AsyncContainer,
        proxies: TrustedProxies,
    ) -> Identity:
        address = proxies.client_address(request.scope, request.headers)
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
