"""Signing in and up: the sign-in page, the local demo sign-in, sign-out, the sign-up form
and the waiting page."""

from __future__ import annotations

import ipaddress
from urllib.parse import quote

from dishka import FromDishka
from litestar import get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from wap.application.auth.sessions import Logout, TokenPair
from wap.application.auth.sign_up import (
    EmailCodeRequest,
    Register,
    Registration,
    RequestEmailCode,
)
from wap.application.demo import DemoSignIn, ListDemoAccounts
from wap.domain.auth import EmailCodePolicy
from wap.domain.catalog import Limits
from wap.domain.errors import WapError
from wap.domain.members import MemberStatus
from wap.entrypoints.config import Settings
from wap.entrypoints.http.errors import CsrfFailed
from wap.entrypoints.http.identity import (
    clear_session_cookies,
    csrf_session,
    ensure_same_origin,
    set_session_cookies,
)
from wap.entrypoints.web.bodies import MemberBody, RegistrationBody, csrf_sent, form_of
from wap.entrypoints.web.shared import Page, Req, back, refusal

# Headers a proxy, load balancer or tunnel adds; any of them means "not a local browser".
PROXY_HEADERS = frozenset(
    {
        "forwarded",
        "via",
        "x-real-ip",
        "x-client-ip",
        "client-ip",
        "true-client-ip",
        "cf-connecting-ip",
        "fastly-client-ip",
        "x-cluster-client-ip",
        "x-original-forwarded-for",
        "x-proxyuser-ip",
    }
)


def proxied(request: Req) -> bool:
    for raw, _ in request.scope.get("headers", ()):
        name = raw.decode("latin-1").lower()
        if name in PROXY_HEADERS or name.startswith("x-forwarded-"):
            return True
    return False


def demo_allowed(request: Req, settings: Settings) -> bool:
    """Demo sign-in exists only when WAP_DEMO_SIGN_IN enables it (``make serve`` does), without
    a GitHub app, on a server that `wap serve` bound to a loopback address, for a browser on
    the same machine that asked for a loopback name (``localhost``, ``127.0.0.1``, ``[::1]``:
    a page from a rebound DNS name is refused) and whose request carries no proxy header.
    A same-machine proxy or tunnel that adds no header and rewrites Host to a loopback name
    cannot be told apart: that is why it is off unless switched on for a local trial.

    The bound address matters: a server on 0.0.0.0 also sees a same-machine proxy's
    connection as 127.0.0.1 → 127.0.0.1."""
    if not settings.demo_sign_in or settings.github_client_id:
        return False
    if settings.serve_host is None or not _loopback(settings.serve_host):
        return False
    if proxied(request) or not _loopback(_host_name(request.headers.get("host", ""))):
        return False  # a Host that is no loopback name: DNS rebinding, or a proxy
    server, client = request.scope.get("server"), request.scope.get("client")
    if not server or not client:
        return False
    return _loopback(str(server[0])) and _loopback(str(client[0]))


def _host_name(host: str) -> str:
    """``127.0.0.1:8000`` → ``127.0.0.1``; ``[::1]:8000`` → ``::1``."""
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else ""
    return host.rpartition(":")[0] if host.count(":") == 1 else host


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@get("/login", include_in_schema=False)
async def login(request: Req, page: FromDishka[Page], settings: FromDishka[Settings]) -> Template:
    return await page.render(
        request,
        "login.html",
        github=bool(settings.github_client_id),
        demo=demo_allowed(request, settings),
        next=quote(request.query_params.get("next", "/")[:200], safe="/"),
    )


@get("/demo", include_in_schema=False)
async def demo(
    request: Req,
    page: FromDishka[Page],
    settings: FromDishka[Settings],
    accounts: FromDishka[ListDemoAccounts],
) -> Template:
    if not demo_allowed(request, settings):
        raise NotFoundException()
    return await page.render(request, "demo.html", accounts=await accounts())


@post("/demo", include_in_schema=False)
async def demo_sign_in(
    request: Req,
    page: FromDishka[Page],
    settings: FromDishka[Settings],
    sign_in: FromDishka[DemoSignIn],
) -> Redirect:
    if not demo_allowed(request, settings):
        raise NotFoundException()
    form = await form_of(request)
    page.check_csrf(request, form)
    pair: TokenPair = await sign_in(MemberBody.of(form).member_id)
    response = back("/")
    set_session_cookies(response, pair, settings)
    return response


@post("/logout", include_in_schema=False)
async def logout(
    request: Req,
    page: FromDishka[Page],
    settings: FromDishka[Settings],
    close: FromDishka[Logout],
) -> Redirect:
    """Signs out here and on the server, as the API's logout does (a shared lab PC): the
    session is the access cookie's or, once that 30-minute cookie has lapsed, the one the
    form's CSRF token names (a token the service signed for that session, repeating the
    ``wap_csrf`` cookie). Its refresh tokens stop working."""
    form = await form_of(request)
    try:
        ensure_same_origin(request, settings)  # another site's page signs no one out
    except CsrfFailed:
        return back("/", error=CsrfFailed.code)
    sent = csrf_sent(form)
    try:
        page.check_csrf(request, form)
    except CsrfFailed:
        # A tab rendered before a later sign-in holds an older token: signing out is still
        # what the person asked for, so the session this browser is signed in with ends.
        sent = ""
    session_id = page.identity.session_id or csrf_session(sent, settings)
    if session_id:
        await close(session_id)
    response = back("/")
    clear_session_cookies(response, settings)
    return response


def sign_up_rules(settings: Settings) -> dict[str, object]:
    """What the sign-up form says beside its fields, from the rules themselves (the domain's
    limits, the e-mail code policy, WAP_ALLOWED_EMAIL_DOMAINS), so the text cannot drift."""
    return {
        "domains": sorted(settings.allowed_email_domains),
        "code_length": EmailCodePolicy.LENGTH,
        "code_minutes": EmailCodePolicy.LIFETIME_SECONDS // 60,
        "resend_seconds": EmailCodePolicy.COOLDOWN_SECONDS,
        "wrong_tries": EmailCodePolicy.MAX_WRONG_TRIES,
        "name_min": Limits.NAME_MIN,
        "name_max": Limits.NAME_MAX,
        "number_min": Limits.STUDENT_NUMBER_MIN,
        "number_max": Limits.STUDENT_NUMBER_MAX,
        # The browser's own check before the round trip (the domain decides).
        "name_pattern": f"[A-Za-z가-힣]{{{Limits.NAME_MIN},{Limits.NAME_MAX}}}",
        "number_pattern": f"[0-9]{{{Limits.STUDENT_NUMBER_MIN},{Limits.STUDENT_NUMBER_MAX}}}",
    }


@get("/register", include_in_schema=False)
async def register_page(request: Req, page: FromDishka[Page]) -> Template | Redirect:
    actor = page.identity.actor
    if actor is None:
        return back("/login")
    if actor.status is MemberStatus.PENDING:
        return back("/waiting")
    if actor.status is MemberStatus.APPROVED:
        return back("/")
    return await page.render(
        request,
        "register.html",
        form={},
        errors={},
        sent=None,
        rules=sign_up_rules(page.settings),
    )


@post("/register", include_in_schema=False)
async def register(
    request: Req,
    page: FromDishka[Page],
    ask: FromDishka[RequestEmailCode],
    register: FromDishka[Register],
) -> Template | Redirect:
    form = await form_of(request)
    body = RegistrationBody.of(form)
    rules = sign_up_rules(page.settings)
    sent = None
    try:
        page.check_csrf(request, form)
        actor = page.identity.signed_in()
        if body.asks_code:
            sent = await ask(EmailCodeRequest(actor, body.email))
        else:
            profile = await register(
                Registration(
                    actor=actor,
                    name=body.name,
                    student_number=body.student_number,
                    position=body.position,
                    email=body.email,
                    email_code=body.email_code,
                )
            )
            return back("/waiting" if profile.status == "pending" else "/")
    except WapError as refused:
        return await page.render(
            request,
            "register.html",
            form=form,
            sent=None,
            rules=rules,
            **refusal(refused, request),
        )
    return await page.render(request, "register.html", form=form, errors={}, sent=sent, rules=rules)


@get("/waiting", include_in_schema=False)
async def waiting(request: Req, page: FromDishka[Page]) -> Template | Redirect:
    """What comes after sign-up, for a member whom an officer has yet to approve; anyone
    else is sent where they belong (sign-in, the sign-up form, the board)."""
    actor = page.identity.actor
    if actor is None:
        return back("/login")
    if actor.status is MemberStatus.REGISTERING:
        return back("/register")
    if actor.status is MemberStatus.APPROVED:
        return back("/")
    return await page.render(request, "waiting.html")


ROUTES = [login, demo, demo_sign_in, logout, register_page, register, waiting]
