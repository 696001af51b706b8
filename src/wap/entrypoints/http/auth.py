"""/auth/*: GitHub sign-in (browser and app flows), refresh, logout, e-mail codes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from typing import Annotated, Any
from urllib.parse import urljoin

import msgspec
from dishka import FromDishka
from litestar import Request, Response, get, post
from litestar.params import JSONBody, QueryParameter
from litestar.response import Redirect
from msgspec import Meta

from wap.application.auth.ports import IdentityProvider
from wap.application.auth.sessions import Logout, RefreshSession, TokenPair
from wap.application.auth.sign_in import SignInCommand, SignInWithGitHub
from wap.application.auth.sign_up import EmailCodeRequest, EmailCodeSent, RequestEmailCode
from wap.application.errors import OAuthFailed, RefreshInvalid, Unavailable
from wap.application.members.read_models import OwnProfile
from wap.domain.auth import safe_next
from wap.domain.errors import InvalidValue
from wap.entrypoints.config import Settings
from wap.entrypoints.http.bodies import EMAIL_MAX
from wap.entrypoints.http.errors import StateMismatch
from wap.entrypoints.http.identity import (
    REFRESH_COOKIE,
    Identity,
    auth_rate_limit,
    clear_session_cookies,
    ensure_csrf,
    set_session_cookies,
)
from wap.entrypoints.http.proxies import TrustedProxies
from wap.entrypoints.http.responses import SIGNED_IN, errors

OAUTH_COOKIE = "wap_oauth"
OAUTH_COOKIE_PATH = "/api/v1/auth/github"
OAUTH_SECONDS = 600
CALLBACK_PATH = "/api/v1/auth/github/callback"

Code = Annotated[str, Meta(min_length=1, max_length=512)]
Url = Annotated[str, Meta(min_length=1, max_length=2000)]
OpaqueToken = Annotated[str, Meta(min_length=1, max_length=512)]


class GitHubTokenBody(msgspec.Struct, forbid_unknown_fields=True):
    code: Code
    redirect_uri: Url | None = None
    code_verifier: Annotated[str, Meta(min_length=43, max_length=128)] | None = None


class RefreshBody(msgspec.Struct, forbid_unknown_fields=True):
    refresh_token: OpaqueToken | None = None


class EmailCodeBody(msgspec.Struct, forbid_unknown_fields=True):
    email: Annotated[str, Meta(min_length=3, max_length=EMAIL_MAX)]


class SignedIn(msgspec.Struct, frozen=True):
    access_token: str
    refresh_token: str
    member: OwnProfile
    registered: bool


class Tokens(msgspec.Struct, frozen=True):
    access_token: str
    refresh_token: str | None  # None for cookie clients: the HttpOnly cookie carries it


def _state_key(settings: Settings) -> bytes:
    return hmac.new(settings.signing_key().encode(), b"wap-oauth-state", hashlib.sha256).digest()


def seal(payload: dict[str, Any], settings: Settings) -> str:
    body = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()
    mac = hmac.new(_state_key(settings), body.encode(), hashlib.sha256).hexdigest()
    return f"{body}.{mac}"


def unseal(sealed: str | None, settings: Settings) -> dict[str, Any]:
    if not sealed or "." not in sealed or len(sealed) > 4096:
        raise StateMismatch()
    body, _, mac = sealed.rpartition(".")
    expected = hmac.new(_state_key(settings), body.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(mac.encode(), expected.encode()):
        raise StateMismatch()
    try:
        payload = json.loads(base64.urlsafe_b64decode(body.encode()))
    except ValueError:
        raise StateMismatch() from None
    if not isinstance(payload, dict) or payload.get("exp", 0) < time.time():
        raise StateMismatch()
    return payload


def _callback_url(request: Request[Any, Any, Any], proxies: TrustedProxies) -> str:
    """This service's callback URL as the browser sees it. Behind a proxy that ends TLS
    (nginx sets ``X-Forwarded-Proto``), the scheme is the proxy's, believed only from a
    trusted one: GitHub compares the whole URL with the OAuth app's callback."""
    try:
        base = str(request.base_url).rstrip("/")
    except ValueError:  # a Host header that is no host (e.g. "x:99999")
        raise InvalidValue(field="host") from None
    proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    if proto in ("http", "https") and proxies.peer_is_trusted(request.scope):
        base = proto + base[base.index(":") :]
    return base + CALLBACK_PATH


def landing(next_path: str | None, settings: Settings) -> str:
    """Where the browser goes after sign-in: ``next`` on the front-end's site, else its home."""
    path = safe_next(next_path, "")
    if not path:
        return settings.frontend_url
    return urljoin(settings.frontend_url, path) if "://" in settings.frontend_url else path


def _require_github(settings: Settings) -> None:
    if not settings.github_client_id or not settings.github_client_secret:
        raise Unavailable()


@get(
    "/auth/github/login",
    guards=[auth_rate_limit],
    tags=["auth"],
    summary="Start the browser sign-in: 302 to GitHub with state and PKCE",
    status_code=302,
    responses=errors("rate.limited", "service.unavailable"),
)
async def github_login(
    request: Request[Any, Any, Any],
    settings: FromDishka[Settings],
    github: FromDishka[IdentityProvider],
    proxies: FromDishka[TrustedProxies],
    next_path: Annotated[str | None, QueryParameter(name="next", max_length=2000)] = None,
) -> Redirect:
    _require_github(settings)
    state, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(48)
    url = github.authorization_url(
        state=state, code_verifier=verifier, redirect_uri=_callback_url(request, proxies)
    )
    sealed = seal(
        {
            "state": state,
            "verifier": verifier,
            "next": safe_next(next_path, ""),
            "exp": time.time() + OAUTH_SECONDS,
        },
        settings,
    )
    response = Redirect(url, status_code=302)
    response.set_cookie(
        OAUTH_COOKIE,
        sealed,
        max_age=OAUTH_SECONDS,
        path=OAUTH_COOKIE_PATH,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
    )
    return response


@get(
    "/auth/github/callback",
    guards=[auth_rate_limit],
    tags=["auth"],
    summary="GitHub sends the browser back here; signs in, sets cookies, 302 to next",
    status_code=302,
    responses=errors(
        "auth.state_mismatch", "auth.oauth_failed", "rate.limited", "service.unavailable"
    ),
)
async def github_callback(
    request: Request[Any, Any, Any],
    settings: FromDishka[Settings],
    sign_in: FromDishka[SignInWithGitHub],
    proxies: FromDishka[TrustedProxies],
    code: Annotated[str | None, QueryParameter(max_length=512)] = None,
    oauth_state: Annotated[str | None, QueryParameter(name="state", max_length=512)] = None,
    oauth_error: Annotated[str | None, QueryParameter(name="error", max_length=200)] = None,
) -> Redirect:
    _require_github(settings)
    sealed = unseal(request.cookies.get(OAUTH_COOKIE), settings)
    expected_state = str(sealed.get("state", "")).encode()
    if not oauth_state or not hmac.compare_digest(expected_state, oauth_state.encode()):
        raise StateMismatch()
    if oauth_error or not code:
        raise OAuthFailed()
    result = await sign_in(
        SignInCommand(
            code=code,
            redirect_uri=_callback_url(request, proxies),
            code_verifier=str(sealed.get("verifier", "")),
        )
    )
    response = Redirect(landing(str(sealed.get("next")), settings), status_code=302)
    set_session_cookies(
        response, TokenPair(result.access_token, result.refresh_token, result.session_id), settings
    )
    response.delete_cookie(OAUTH_COOKIE, path=OAUTH_COOKIE_PATH)
    return response


@post(
    "/auth/github/token",
    guards=[auth_rate_limit],
    tags=["auth"],
    summary="App flow: exchange a GitHub code for tokens",
    status_code=200,
    responses=errors("auth.oauth_failed", "rate.limited", "service.unavailable"),
)
async def github_token(
    data: JSONBody[GitHubTokenBody],
    settings: FromDishka[Settings],
    sign_in: FromDishka[SignInWithGitHub],
) -> SignedIn:
    _require_github(settings)
    result = await sign_in(
        SignInCommand(
            code=data.code, redirect_uri=data.redirect_uri, code_verifier=data.code_verifier
        )
    )
    return SignedIn(result.access_token, result.refresh_token, result.member, result.registered)


@post(
    "/auth/refresh",
    tags=["auth"],
    summary="A new token pair for a refresh token (single use; reuse revokes the session)",
    status_code=200,
    responses=errors("auth.refresh_invalid", "auth.csrf_failed", "rate.limited"),
)
async def refresh(
    request: Request[Any, Any, Any],
    settings: FromDishka[Settings],
    refresh_session: FromDishka[RefreshSession],
    proxies: FromDishka[TrustedProxies],
    data: JSONBody[RefreshBody | None] = None,
) -> Response[Tokens]:
    token = data.refresh_token if data is not None else None
    from_cookie = token is None
    if from_cookie:
        token = request.cookies.get(REFRESH_COOKIE)
        if not token or len(token) > 512:
            raise RefreshInvalid()
        # Origin and double-submit; the new cookies bind the CSRF token to the session.
        ensure_csrf(request, settings)
    assert token is not None
    # Limited per session (WAP_REFRESH_RATE_LIMIT); the address counts only for unknown tokens.
    pair = await refresh_session(token, proxies.client_address(request.scope, request.headers))
    body = Tokens(pair.access_token, None if from_cookie else pair.refresh_token)
    response = Response(body, status_code=200)
    if from_cookie:
        set_session_cookies(response, pair, settings)
    return response


@post(
    "/auth/logout",
    tags=["auth"],
    summary="Revoke this login session and clear the cookies",
    status_code=204,
    responses=errors(*SIGNED_IN, "rate.limited"),
)
async def logout(
    request: Request[Any, Any, Any],
    identity: FromDishka[Identity],
    settings: FromDishka[Settings],
    close: FromDishka[Logout],
) -> Response[None]:
    refresh_cookie = request.cookies.get(REFRESH_COOKIE)
    if identity.actor is None and refresh_cookie:
        ensure_csrf(request, settings)  # the refresh cookie is a credential too
        await close(None, refresh_cookie[:512])
    else:
        identity.signed_in()
        await close(identity.session_id)
    response = Response(None, status_code=204)
    clear_session_cookies(response, settings)
    return response


@post(
    "/auth/email-codes",
    tags=["auth"],
    summary="Mail a 6-character sign-up code (5 min life, 60 s resend cooldown)",
    status_code=202,
    responses=errors(
        *SIGNED_IN,
        "member.not_registering",
        "email.cooldown",
        "email.domain_not_allowed",
        "rate.limited",
    ),
)
async def email_codes(
    data: JSONBody[EmailCodeBody],
    identity: FromDishka[Identity],
    request_code: FromDishka[RequestEmailCode],
) -> EmailCodeSent:
    return await request_code(EmailCodeRequest(identity.signed_in(), data.email))
