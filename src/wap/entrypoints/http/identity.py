"""Who is asking: bearer tokens for apps, cookies (with CSRF protection) for browsers."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

from dishka import AsyncContainer, Provider, Scope, from_context, provide
from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.types import ASGIApp, Message, Receive, Send
from litestar.types import Scope as AsgiScope

from wap.application.auth.limits import AuthLimits
from wap.application.auth.sessions import Authenticate, TokenPair
from wap.application.errors import AuthRequired, TokenExpired, TokenInvalid
from wap.domain.auth import ACCESS_TOKEN_SECONDS, REFRESH_TOKEN_SECONDS
from wap.domain.members import Actor
from wap.domain.views import Viewer
from wap.entrypoints.config import Settings
from wap.entrypoints.http.errors import CsrfFailed
from wap.entrypoints.http.proxies import TrustedProxies

ACCESS_COOKIE = "wap_access"
REFRESH_COOKIE = "wap_refresh"
CSRF_COOKIE = "wap_csrf"
CSRF_HEADER = "x-csrf-token"
REFRESH_COOKIE_PATH = "/api/v1/auth"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_TOKEN_LENGTH = 4096
SESSION_COOKIES = ((ACCESS_COOKIE, "/"), (REFRESH_COOKIE, REFRESH_COOKIE_PATH), (CSRF_COOKIE, "/"))
REFUSED_SESSION = "wap.refused_session"  # scope key: a web page got a cookie it could not use


@dataclass(frozen=True, slots=True)
class Identity:
    """The caller of this request: who is asking, never what they may do (use cases say)."""

    actor: Actor | None = None
    session_id: str | None = None
    client_ip: str = "unknown"
    # A web page's wap_access cookie was invalid, expired or revoked: signed out, cookies go.
    stale_cookie: bool = False

    @property
    def viewer(self) -> Viewer:
        """Who a view is counted for: the member when signed in, else the client's address."""
        if self.actor is not None:
            return Viewer.member(self.actor.member_id)
        return Viewer.address(self.client_ip)

    def signed_in(self) -> Actor:
        """The caller, or ``auth.required``. What the caller may do is the use case's to say."""
        if self.actor is None:
            raise AuthRequired()
        return self.actor


@functools.lru_cache(maxsize=8)
def _csrf_key(settings: Settings) -> bytes:
    return hmac.new(settings.signing_key().encode(), b"wap-csrf-token", hashlib.sha256).digest()


def session_csrf_token(session_id: str, settings: Settings) -> str:
    """The CSRF token of a login session: its id and an HMAC of it under the signing key.

    It names the session (so that the web logout can close a session whose access cookie has
    lapsed) and cannot be made for another session without the key."""
    mac = hmac.new(_csrf_key(settings), session_id.encode(), hashlib.sha256).digest()
    return f"{session_id}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def anonymous_csrf_token() -> str:
    """A visitor's double-submit token before sign-in (no dot: never taken for a session's)."""
    return secrets.token_urlsafe(24)


def csrf_session(token: str, settings: Settings) -> str | None:
    """The session a token names, when it is a session token this service signed."""
    session_id, dot, _ = token.partition(".")
    if not dot or not session_id or len(token) > 256:
        return None
    expected = session_csrf_token(session_id, settings)
    return session_id if hmac.compare_digest(token.encode(), expected.encode()) else None


def _same(a: str, b: str) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(a.encode(), b.encode())


def _host_and_port(netloc: str) -> tuple[str, int | None]:
    parts = urlsplit("//" + netloc)
    return (parts.hostname or "").lower(), parts.port


def _is_loopback_ip(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def ensure_same_origin(request: Request[Any, Any, Any], settings: Settings) -> None:
    """The request comes from a page of this service (or of a WAP_CORS_ORIGINS front-end).

    ``Origin`` decides, else ``Referer``'s origin. A browser sends ``Origin`` on every POST,
    PUT, PATCH and DELETE (``null`` when it hides it, which is refused), so a forged request
    from another site always names where it comes from. A request with neither header comes
    from no browser page: it is not a cross-site forgery, and the session-bound token is still
    asked of it (scripts that keep cookies work)."""
    try:
        sent = request.headers.get("origin")
        if sent is None:
            raw_referer = request.headers.get("referer")
            if raw_referer is None:
                return
            referer = urlsplit(raw_referer[:4096])
            sent = f"{referer.scheme}://{referer.netloc}" if referer.netloc else ""
        origin = sent.strip().rstrip("/")
        if not origin or origin == "null":
            raise CsrfFailed()
        if origin in settings.cors_origins:
            return
        parts = urlsplit(origin)
        origin_host, origin_port = (parts.hostname or "").lower(), parts.port
        own_host, own_port = _host_and_port(request.headers.get("host", ""))
    except ValueError:
        raise CsrfFailed() from None
    # Browsers keep Secure cookies for http://localhost too (a trustworthy origin).
    local = own_host == "localhost" or _is_loopback_ip(own_host)
    schemes = ("https",) if settings.cookie_secure and not local else ("http", "https")
    default_port = {"http": 80, "https": 443}.get(parts.scheme)
    if (
        parts.scheme not in schemes
        or not own_host
        or origin_host != own_host
        # A proxy that passes Host without its port (nginx's $host) leaves only the name.
        or (own_port is not None and (origin_port or default_port) != own_port)
    ):
        raise CsrfFailed()


def ensure_csrf(
    request: Request[Any, Any, Any],
    settings: Settings,
    session_id: str | None = None,
    sent: str | None = None,
) -> None:
    """An unsafe request that a cookie authenticates: from our own origin, repeating the
    ``wap_csrf`` cookie (header ``X-CSRF-Token``, or the form's ``sent`` value), and, for a
    signed-in caller, the token bound to the caller's session."""
    ensure_same_origin(request, settings)
    token = request.headers.get(CSRF_HEADER, "") if sent is None else sent
    if not _same(token, request.cookies.get(CSRF_COOKIE, "")):
        raise CsrfFailed()
    if session_id is not None and not _same(token, session_csrf_token(session_id, settings)):
        raise CsrfFailed()


async def auth_rate_limit(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """Guard of the sign-in routes: WAP_AUTH_RATE_LIMIT per client address (``rate.limited``
    beyond). Refresh and logout are limited per session instead (application/auth/limits.py)."""
    container = connection.state.dishka_container  # the request scope dishka opened
    proxies = await container.get(TrustedProxies)
    limits = await container.get(AuthLimits)
    await limits.address(proxies.client_address(connection.scope, connection.headers))


def is_api(request: Request[Any, Any, Any]) -> bool:
    return str(request.scope.get("path", "")).startswith("/api/")


def credentials(request: Request[Any, Any, Any], pages: bool = False) -> tuple[str | None, bool]:
    """The access token and whether it came from a cookie. On the web pages an
    ``Authorization`` header of another scheme is not ours (a staging site behind nginx's
    ``auth_basic`` sends Basic credentials with every request): the cookie decides there."""
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if not (pages and scheme.lower() != "bearer"):
            if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH:
                raise TokenInvalid()
            return token, False
    cookie = request.cookies.get(ACCESS_COOKIE)
    if cookie:
        if len(cookie) > MAX_TOKEN_LENGTH:
            raise TokenInvalid()
        return cookie, True
    return None, False


class Identify:
    """Who is asking, from the request: what ``Identity`` holds, for the handlers that take
    it through this one object of the app instead of from dishka's request scope (the hot
    reads: a caller without a token needs nothing of that scope, so the request never
    enters it; scopes.py). A caller with a token needs the session store and the members'
    table, which the request's scope gives."""

    __slots__ = ("_proxies", "_settings")

    def __init__(self, settings: Settings, proxies: TrustedProxies) -> None:
        self._settings, self._proxies = settings, proxies

    async def __call__(
        self,
        request: Request[Any, Any, Any],
        container: AsyncContainer | None = None,
    ) -> Identity:
        address = self._proxies.client_address(request.scope, request.headers)
        # A web page with a cookie it cannot use (forged, expired, revoked) shows the visitor
        # signed out and clears the cookies (forget_refused_session); the API answers 401.
        pages = not is_api(request)
        bearer = request.headers.get("authorization", "").lstrip()[:7].lower() == "bearer "
        forgiving = pages and not bearer
        try:
            token, from_cookie = credentials(request, pages)
        except TokenInvalid:
            if not forgiving:
                raise
            return _refused(request, address)
        if token is None:
            return Identity(client_ip=address)
        # Only a caller with a token needs the session store and the members' table: the
        # request's scope (the one the caller gave, else the request's own, entered now).
        scope = container if container is not None else request.state.dishka_container
        authenticate = await scope.get(Authenticate)
        # The API's cookie clients send the token in a header; the web pages' forms carry it
        # in a field, which their handlers check (entrypoints/web/shared.py).
        api_csrf = from_cookie and request.method in UNSAFE_METHODS and is_api(request)
        if api_csrf:
            ensure_csrf(request, self._settings)
        try:
            actor, session_id = await authenticate(token)
        except (TokenInvalid, TokenExpired):
            if not (forgiving and from_cookie):
                raise
            return _refused(request, address)
        if api_csrf:
            ensure_csrf(request, self._settings, session_id)
        return Identity(actor, session_id, address)


class HttpProvider(Provider):
    request = from_context(provides=Request, scope=Scope.REQUEST)

    @provide(scope=Scope.APP)
    async def trusted_proxies(self, settings: Settings) -> AsyncIterator[TrustedProxies]:
        # One per app: its host names are resolved at start, then kept fresh in the background.
        async with TrustedProxies.from_entries(settings.trusted_proxies).running() as proxies:
            yield proxies

    @provide(scope=Scope.APP)
    def identify(self, settings: Settings, proxies: TrustedProxies) -> Identify:
        return Identify(settings, proxies)

    @provide(scope=Scope.REQUEST)
    async def identity(
        self,
        request: Request,  # type: ignore[type-arg]
        container: AsyncContainer,
        identify: Identify,
    ) -> Identity:
        return await identify(request, container)


def _refused(request: Request[Any, Any, Any], address: str) -> Identity:
    cast(dict[str, Any], request.scope)[REFUSED_SESSION] = True
    return Identity(client_ip=address, stale_cookie=True)


def forget_refused_session(app: ASGIApp) -> ASGIApp:
    """Middleware of the web pages: a response to a request whose session cookie was refused
    also clears the session cookies (the CSRF cookie unless the page set a fresh one)."""

    async def forgetting(scope: AsgiScope, receive: Receive, send: Send) -> None:
        async def send_with(message: Message) -> None:
            if message["type"] == "http.response.start" and scope.get(REFUSED_SESSION):
                headers = list(message.get("headers", ()))
                fresh = {
                    value.split(b"=", 1)[0].strip()
                    for name, value in headers
                    if name.lower() == b"set-cookie"
                }
                for cookie, path in SESSION_COOKIES:
                    if cookie.encode() not in fresh:
                        headers.append((b"set-cookie", _expired(cookie, path)))
                message["headers"] = headers
            await send(message)

        await app(scope, receive, send_with)

    return forgetting


def _expired(name: str, path: str) -> bytes:
    return (
        f'{name}=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path={path}; SameSite=lax'
    ).encode()


def set_session_cookies(response: Response[Any], pair: TokenPair, settings: Settings) -> None:
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
    # Readable by the page's script, which sends it back in the X-CSRF-Token header; bound
    # to this login session.
    set_csrf_cookie(response, session_csrf_token(pair.session_id, settings), settings)


def set_csrf_cookie(response: Response[Any], token: str, settings: Settings) -> None:
    response.set_cookie(
        CSRF_COOKIE,
        token,
        max_age=REFRESH_TOKEN_SECONDS,
        httponly=False,
        path="/",
        secure=settings.cookie_secure,
        samesite="lax",
    )


def clear_session_cookies(response: Response[Any], settings: Settings) -> None:
    for name, path in SESSION_COOKIES:
        response.delete_cookie(name, path=path)
