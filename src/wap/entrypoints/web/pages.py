"""The web pages: server-rendered HTML over the same use cases as the JSON API.

Forms work without JavaScript. Cookie sessions are shared with the API's cookie mode; every
form carries the CSRF token of the ``wap_csrf`` cookie and each POST checks it. A refused
form is shown again with what the person typed and the SPEC's message."""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from urllib.parse import parse_qsl, quote, urlencode

from dishka import FromDishka, Provider, Scope, provide
from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import PathParameter
from litestar.response import Redirect, Template

from wap.application.admin.batch import Batch
from wap.application.admin.members import (
    ApproveMembers,
    ChangeRole,
    ExpelMembers,
    ListAudit,
    ListMembers,
    MemberListQuery,
    RejectMembers,
    RoleChange,
)
from wap.application.admin.teams import (
    AdminTeamListQuery,
    ApproveTeams,
    ListAdminTeams,
    RejectTeams,
)
from wap.application.auth.sessions import Logout, TokenPair
from wap.application.auth.sign_up import (
    EmailCodeRequest,
    GetOwnProfile,
    Register,
    Registration,
    RequestEmailCode,
)
from wap.application.catalog.get_catalog import GetCatalog
from wap.application.demo import DemoSignIn, ListDemoAccounts
from wap.application.media.upload import Upload, UploadAvatar, UploadTeamImage
from wap.application.members.get_profile import GetProfileQuery, GetPublicProfile
from wap.application.members.ports import SearchField
from wap.application.members.update_profile import ProfileEdit, UpdateProfile
from wap.application.notices.inbox import (
    CountUnread,
    InboxQuery,
    MarkNoticesRead,
    MarkRead,
    ReadInbox,
)
from wap.application.patch import UNSET
from wap.application.teams.applying import (
    AcceptApplication,
    Apply,
    ApplyCommand,
    Decision,
    ListMyApplications,
    ListTeamApplications,
    RejectApplication,
    TeamApplicationsQuery,
    Withdrawal,
    WithdrawApplication,
)
from wap.application.teams.manage import (
    CompleteTeam,
    CreateTeam,
    DeleteTeam,
    Departure,
    EditTeam,
    HandOver,
    HandOverLeadership,
    LeaveTeam,
    SlotRequest,
    TeamAction,
    TeamDraft,
    TeamEdit,
)
from wap.application.teams.queries import (
    BoardQuery,
    GetTeamDetail,
    LikeCommand,
    ListLikedTeams,
    ListMemberTeams,
    ListTeamMembers,
    ListTeams,
    MemberTeamsQuery,
    SetLike,
    TeamQuery,
)
from wap.domain.errors import InvalidValue, WapError
from wap.domain.members import Actor, MemberStatus, Role
from wap.domain.teams import TeamStatus, parse_category, parse_genre
from wap.entrypoints.config import Settings
from wap.entrypoints.http.errors import CsrfFailed
from wap.entrypoints.http.identity import (
    CSRF_COOKIE,
    Identity,
    anonymous_csrf_token,
    clear_session_cookies,
    csrf_session,
    ensure_csrf,
    ensure_same_origin,
    session_csrf_token,
    set_csrf_cookie,
    set_session_cookies,
)
from wap.entrypoints.http.observability import count_refusal
from wap.entrypoints.http.params import Id
from wap.entrypoints.http.problems import PROBLEMS, prefers_english, text_for

Req = Request[Any, Any, Any]
Segment = Annotated[str, PathParameter(max_length=20)]
LOOPBACK = ("127.0.0.1", "::1", "localhost")


# ---------------------------------------------------------------- helpers


def english(request: Req) -> bool:
    return prefers_english(request.headers.get("accept-language"))


def csrf_of(request: Req) -> str:
    return request.cookies.get(CSRF_COOKIE, "")


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
MAX_FORM_FIELDS = 1000


async def form_of(request: Req) -> dict[str, Any]:
    """The posted form, decoded strictly: a form content type, UTF-8 (no other charset),
    well-formed. Anything else is ``request.invalid``, before any check or action runs."""
    media_type, options = request.content_type
    charset = options.get("charset", "utf-8").lower()
    if media_type not in FORM_TYPES or charset not in ("utf-8", "utf8"):
        raise InvalidValue(field="body")
    if media_type == FORM_TYPES[0]:
        try:
            pairs = parse_qsl(
                (await request.body()).decode("utf-8"),
                errors="strict",
                max_num_fields=MAX_FORM_FIELDS,
                separator="&",
            )
        except (UnicodeError, ValueError):  # not UTF-8, or too many fields
            raise InvalidValue(field="body") from None
    else:
        pairs = list((await request.form()).multi_items())  # undecodable: see problems.py
    if any(not key for key, _ in pairs):  # a part without a name
        raise InvalidValue(field="body")
    values: dict[str, Any] = {}
    for key, value in pairs:
        if key in values:
            values[key] = (
                [*values[key], value] if isinstance(values[key], list) else [values[key], value]
            )
        else:
            values[key] = value
    return values


def check_csrf(request: Req, form: dict[str, Any], identity: Identity, settings: Settings) -> None:
    """Every form POST: from this site's origin, with the token of the ``wap_csrf`` cookie,
    which for a signed-in member must be their session's."""
    ensure_csrf(request, settings, identity.session_id, sent=str(form.get("csrf", ""))[:256])


def message(error: WapError, request: Req) -> str:
    if error.code == "rate.limited":
        count_refusal(request)  # a page that shows the refusal counts it as the API does
    return text_for(error.code if error.code in PROBLEMS else "internal", english(request))


def field_errors(error: WapError, request: Req) -> dict[str, str]:
    return {p.field: text_for(p.code, english(request)) for p in error.problems}


def back(path: str, **params: str) -> Redirect:
    query = ("?" + urlencode(params)) if params else ""
    return Redirect(path + query, status_code=303)


def number_of(raw: object, default: int = 0, *, signed: bool = False) -> int:
    """A number typed into a form or a query: ASCII digits only (``"²".isdigit()`` is true
    but ``int("²")`` fails), at most 10 of them, below 2**31; else ``default``."""
    text = str(raw).strip()
    digits = text[1:] if signed and text.startswith("-") else text
    if not (digits.isascii() and digits.isdigit() and len(digits) <= 10):
        return default
    value = int(text)
    return value if -(2**31) < value < 2**31 else default


def ids_of(form: dict[str, Any], key: str = "ids") -> tuple[int, ...]:
    raw = form.get(key, [])
    values = raw if isinstance(raw, list) else [raw]
    return tuple(n for n in (number_of(v) for v in values) if n > 0)


class Page:
    """What every page shows: who is signed in, their unread notices, the catalog."""

    def __init__(
        self,
        identity: Identity,
        own: GetOwnProfile,
        unread: CountUnread,
        catalog: GetCatalog,
        settings: Settings,
    ) -> None:
        self.identity, self._own, self._unread, self._catalog = identity, own, unread, catalog
        self.settings = settings

    def check_csrf(self, request: Req, form: dict[str, Any]) -> None:
        check_csrf(request, form, self.identity, self.settings)

    async def render(self, request: Req, template: str, **context: Any) -> Template:
        me, unread = None, 0
        if self.identity.actor is not None:
            me = await self._own(self.identity.actor)
            unread = await self._unread(self.identity.actor)
        response = Template(
            template_name=template,
            context={
                "me": me,
                "unread": unread,
                "csrf": "",
                "catalog": await self._catalog(),
                "en": english(request),
                "notice": request.query_params.get("notice"),
                "error_code": request.query_params.get("error"),
                "error_text": (
                    text_for(request.query_params["error"], english(request))
                    if request.query_params.get("error") in PROBLEMS
                    else None
                ),
                **context,
            },
        )
        # Every visitor gets a CSRF token before their first form: a signed-in member their
        # session's, a visitor a random one (kept if they have one: after the 30-minute access
        # cookie lapses, the session's token still lets /logout close the session).
        token = csrf_of(request)
        if self.identity.session_id is not None:
            token = session_csrf_token(self.identity.session_id, self.settings)
        elif not token or self.identity.stale_cookie:
            token = anonymous_csrf_token()
        response.context["csrf"] = token
        # Signed out here, but the session lives on the server (its access cookie lapsed):
        # offer to sign out, which closes it.
        response.context["lingering_session"] = self.identity.session_id is None and bool(
            csrf_session(token, self.settings)
        )
        if token != csrf_of(request):
            set_csrf_cookie(response, token, self.settings)
        return response


async def run_action(
    request: Req,
    page: Page,
    target: str,
    action: Callable[[dict[str, Any]], Awaitable[Any]],
) -> Redirect:
    """POST → check CSRF → run → 303 back, with the refusal's code when refused."""
    form = await form_of(request)
    try:
        page.check_csrf(request, form)
        await action(form)
    except WapError as refused:
        return back(target, error=refused.code)
    return back(target)


# ---------------------------------------------------------------- board and team pages


@get("/", include_in_schema=False)
async def board(
    request: Req, page: FromDishka[Page], list_teams: FromDishka[ListTeams]
) -> Template:
    query = request.query_params
    status = TeamStatus.COMPLETED if query.get("status") == "completed" else TeamStatus.RECRUITING
    try:
        found = await list_teams(
            BoardQuery(
                actor=page.identity.actor,
                status=status,
                genre=parse_genre(query["genre"]) if query.get("genre") else None,
                category=parse_category(query["category"]) if query.get("category") else None,
                q=(query.get("q") or "")[:100] or None,
                cursor=(query.get("cursor") or "")[:40] or None,
                limit=12,
            )
        )
        problem = None
    except WapError as refused:
        found, problem = None, message(refused, request)
    return await page.render(
        request,
        "board.html",
        teams=found,
        filters=dict(query),
        status=status.value,
        problem=problem,
    )


@get("/teams/{team_id:int}", include_in_schema=False)
async def team_page(
    request: Req,
    team_id: Id,
    page: FromDishka[Page],
    get_team: FromDishka[GetTeamDetail],
    members: FromDishka[ListTeamMembers],
    applications: FromDishka[ListTeamApplications],
) -> Template:
    actor = page.identity.actor
    try:
        team = await get_team(TeamQuery(team_id, actor, page.identity.viewer))
    except WapError:
        raise NotFoundException() from None
    people = await members(TeamQuery(team_id, actor))
    inbox = []
    if actor is not None and actor.member_id == team.leader_id:
        inbox = await applications(TeamApplicationsQuery(actor, team_id))
    return await page.render(
        request,
        "team.html",
        team=team,
        people=people,
        inbox=inbox,
        is_leader=actor is not None and actor.member_id == team.leader_id,
        is_member=actor is not None and any(p.member.id == actor.member_id for p in people),
    )


@post("/teams/{team_id:int}/like", include_in_schema=False)
async def like(
    request: Req, team_id: Id, page: FromDishka[Page], set_like: FromDishka[SetLike]
) -> Redirect:
    async def act(form: dict[str, Any]) -> None:
        await set_like(
            LikeCommand(page.identity.signed_in(), team_id, like=form.get("like") == "1")
        )

    return await run_action(request, page, f"/teams/{team_id}", act)


@post("/teams/{team_id:int}/apply", include_in_schema=False)
async def apply(
    request: Req, team_id: Id, page: FromDishka[Page], apply: FromDishka[Apply]
) -> Redirect:
    async def act(form: dict[str, Any]) -> None:
        await apply(
            ApplyCommand(
                page.identity.signed_in(),
                team_id,
                str(form.get("category", ""))[:30],
                str(form.get("message", ""))[:1000],
            )
        )

    result = await run_action(request, page, f"/teams/{team_id}", act)
    return result if "error=" in str(result.url) else back(f"/teams/{team_id}", notice="applied")


@post(
    "/teams/{team_id:int}/applications/{application_id:int}/{verdict:str}", include_in_schema=False
)
async def decide(
    request: Req,
    team_id: Id,
    application_id: Id,
    verdict: Segment,
    page: FromDishka[Page],
    accept: FromDishka[AcceptApplication],
    reject: FromDishka[RejectApplication],
) -> Redirect:
    if verdict not in ("accept", "reject"):
        raise NotFoundException()

    async def act(_: dict[str, Any]) -> None:
        decision = Decision(page.identity.signed_in(), team_id, application_id)
        await (accept(decision) if verdict == "accept" else reject(decision))

    return await run_action(request, page, f"/teams/{team_id}", act)


@post("/teams/{team_id:int}/manage/{what:str}", include_in_schema=False)
async def manage(
    request: Req,
    team_id: Id,
    what: Segment,
    page: FromDishka[Page],
    complete: FromDishka[CompleteTeam],
    remove: FromDishka[DeleteTeam],
    hand: FromDishka[HandOverLeadership],
    leave: FromDishka[LeaveTeam],
) -> Redirect:
    async def act(form: dict[str, Any]) -> None:
        actor = page.identity.signed_in()
        member_id = number_of(form.get("member_id", ""))
        if what == "complete":
            await complete(TeamAction(actor, team_id))
        elif what == "delete":
            await remove(TeamAction(actor, team_id))
        elif what == "leader":
            await hand(HandOver(actor, team_id, member_id))
        elif what == "remove":
            await leave(Departure(actor, team_id, member_id))
        else:
            raise NotFoundException()

    target = "/" if what == "delete" else f"/teams/{team_id}"
    return await run_action(request, page, target, act)


def slots_from(text: str) -> tuple[SlotRequest, ...]:
    """`카테고리: 인원` one a line, as the slot editor sends them."""
    slots = []
    for line in text.splitlines()[:40]:
        if ":" in line:
            category, _, count = line.rpartition(":")
            number = number_of(count, signed=True)
            slots.append(SlotRequest(category.strip(), max(-1000, min(1000, number))))
    return tuple(slots)


def links_from(text: str) -> tuple[str, ...]:
    return tuple(line.strip()[:500] for line in text.splitlines()[:20] if line.strip())


@get("/teams/new", include_in_schema=False)
async def new_team(request: Req, page: FromDishka[Page]) -> Template | Redirect:
    if page.identity.actor is None:
        return back("/login")
    return await page.render(request, "team_form.html", form={}, errors={}, team=None)


@post("/teams/new", include_in_schema=False)
async def create_team(
    request: Req, page: FromDishka[Page], create: FromDishka[CreateTeam]
) -> Template | Redirect:
    form = await form_of(request)
    try:
        page.check_csrf(request, form)
        team = await create(
            TeamDraft(
                actor=page.identity.signed_in(),
                title=str(form.get("title", ""))[:100],
                genre=str(form.get("genre", ""))[:20],
                description=str(form.get("description", ""))[:5000],
                slots=slots_from(str(form.get("slots", ""))),
                links=links_from(str(form.get("links", ""))),
            )
        )
    except WapError as refused:
        return await page.render(
            request,
            "team_form.html",
            form=form,
            errors=field_errors(refused, request),
            problem=message(refused, request),
            team=None,
        )
    return back(f"/teams/{team.id}", notice="created")


@get("/teams/{team_id:int}/edit", include_in_schema=False)
async def edit_team_page(
    request: Req, team_id: Id, page: FromDishka[Page], get_team: FromDishka[GetTeamDetail]
) -> Template:
    team = await get_team(TeamQuery(team_id, page.identity.actor))
    form = {
        "title": team.title,
        "genre": team.genre,
        "description": team.description,
        "slots": "\n".join(f"{s.category}: {s.capacity}" for s in team.slots),
        "links": "\n".join(team.links),
    }
    return await page.render(request, "team_form.html", form=form, errors={}, team=team)


@post("/teams/{team_id:int}/edit", include_in_schema=False)
async def edit_team(
    request: Req,
    team_id: Id,
    page: FromDishka[Page],
    edit: FromDishka[EditTeam],
    get_team: FromDishka[GetTeamDetail],
    upload: FromDishka[UploadTeamImage],
    settings: FromDishka[Settings],
) -> Template | Redirect:
    form = await form_of(request)
    try:
        page.check_csrf(request, form)
        actor = page.identity.signed_in()
        await edit(
            TeamEdit(
                actor=actor,
                team_id=team_id,
                title=str(form.get("title", ""))[:100],
                genre=str(form.get("genre", ""))[:20],
                description=str(form.get("description", ""))[:5000],
                slots=slots_from(str(form.get("slots", ""))),
                links=links_from(str(form.get("links", ""))),
            )
        )
        image = form.get("image")
        if isinstance(image, UploadFile) and image.filename:
            data = await image.read(settings.max_image_bytes + 1)
            await upload(Upload(actor, data, team_id))
    except WapError as refused:
        team = await get_team(TeamQuery(team_id, page.identity.actor))
        return await page.render(
            request,
            "team_form.html",
            form=form,
            errors=field_errors(refused, request),
            problem=message(refused, request),
            team=team,
        )
    return back(f"/teams/{team_id}", notice="saved")


# ---------------------------------------------------------------- signing in and up


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
    member_id = number_of(form.get("member_id", ""))
    pair: TokenPair = await sign_in(member_id)
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
    sent = str(form.get("csrf", ""))[:256]
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


@get("/register", include_in_schema=False)
async def register_page(request: Req, page: FromDishka[Page]) -> Template | Redirect:
    actor = page.identity.actor
    if actor is None:
        return back("/login")
    if actor.status is MemberStatus.PENDING:
        return back("/waiting")
    if actor.status is MemberStatus.APPROVED:
        return back("/")
    return await page.render(request, "register.html", form={}, errors={}, sent=None)


@post("/register", include_in_schema=False)
async def register(
    request: Req,
    page: FromDishka[Page],
    ask: FromDishka[RequestEmailCode],
    register: FromDishka[Register],
) -> Template | Redirect:
    form = await form_of(request)
    sent = None
    try:
        page.check_csrf(request, form)
        actor = page.identity.signed_in()
        if form.get("step") == "code":
            sent = await ask(EmailCodeRequest(actor, str(form.get("email", ""))[:254]))
        else:
            profile = await register(
                Registration(
                    actor=actor,
                    name=str(form.get("name", ""))[:100],
                    student_number=str(form.get("student_number", ""))[:100],
                    position=str(form.get("position", ""))[:100],
                    email=str(form.get("email", ""))[:254],
                    email_code=str(form.get("email_code", ""))[:32],
                )
            )
            return back("/waiting" if profile.status == "pending" else "/")
    except WapError as refused:
        return await page.render(
            request,
            "register.html",
            form=form,
            errors=field_errors(refused, request),
            problem=message(refused, request),
            sent=None,
        )
    return await page.render(request, "register.html", form=form, errors={}, sent=sent)


@get("/waiting", include_in_schema=False)
async def waiting(request: Req, page: FromDishka[Page]) -> Template:
    return await page.render(request, "waiting.html")


# ---------------------------------------------------------------- my page and inbox


class MyPage:
    """The member's own page: their profile form, teams, applications and likes."""

    def __init__(
        self,
        page: Page,
        teams: ListMemberTeams,
        mine: ListMyApplications,
        liked: ListLikedTeams,
    ) -> None:
        self.page, self._teams, self._mine, self._liked = page, teams, mine, liked

    async def render(self, request: Req, actor: Actor, **extra: Any) -> Template:
        return await self.page.render(
            request,
            "me.html",
            **({"form": None, "errors": {}} | extra),
            my_teams=await self._teams(MemberTeamsQuery(actor.member_id, None, actor)),
            applications=await self._mine(actor),
            liked=await self._liked(actor),
        )


@get("/me", include_in_schema=False)
async def my_page(request: Req, me: FromDishka[MyPage]) -> Template | Redirect:
    actor = me.page.identity.actor
    if actor is None:
        return back("/login")
    if actor.status is not MemberStatus.APPROVED:
        return back("/register")
    return await me.render(request, actor)


@post("/me", include_in_schema=False)
async def update_me(
    request: Req,
    me: FromDishka[MyPage],
    update: FromDishka[UpdateProfile],
    avatar: FromDishka[UploadAvatar],
    settings: FromDishka[Settings],
) -> Template | Redirect:
    form = await form_of(request)
    actor = me.page.identity.actor
    if actor is None:
        return back("/login")
    try:
        me.page.check_csrf(request, form)
        await update(
            ProfileEdit(
                actor=actor,
                bio=str(form.get("bio", ""))[:5000],
                position=str(form.get("position", ""))[:100],
                tech_stack=tuple(
                    t.strip()[:100]
                    for t in str(form.get("tech_stack", "")).split(",")[:100]
                    if t.strip()
                ),
                links=links_from(str(form.get("links", ""))),
                notify_email=form.get("notify_email") == "on",
                language=str(form.get("language", "ko"))[:5] or UNSET,
            )
        )
        image = form.get("avatar")
        if isinstance(image, UploadFile) and image.filename:
            await avatar(Upload(actor, await image.read(settings.max_image_bytes + 1)))
    except WapError as refused:
        return await me.render(
            request,
            actor,
            form=form,
            errors=field_errors(refused, request),
            problem=message(refused, request),
        )
    return back("/me", notice="saved")


@post("/applications/{application_id:int}/withdraw", include_in_schema=False)
async def withdraw(
    request: Req,
    application_id: Id,
    page: FromDishka[Page],
    withdraw: FromDishka[WithdrawApplication],
) -> Redirect:
    async def act(_: dict[str, Any]) -> None:
        await withdraw(Withdrawal(page.identity.signed_in(), application_id))

    return await run_action(request, page, "/me", act)


@get("/members/{member_id:int}", include_in_schema=False)
async def member_page(
    request: Req,
    member_id: Id,
    page: FromDishka[Page],
    profile: FromDishka[GetPublicProfile],
    teams: FromDishka[ListMemberTeams],
) -> Template:
    try:
        person = await profile(GetProfileQuery(member_id, page.identity.actor))
        their_teams = await teams(MemberTeamsQuery(member_id, None, page.identity.actor))
    except WapError:
        raise NotFoundException() from None
    return await page.render(request, "member.html", person=person, their_teams=their_teams)


@get("/notifications", include_in_schema=False)
async def notifications(
    request: Req, page: FromDishka[Page], inbox: FromDishka[ReadInbox]
) -> Template | Redirect:
    if page.identity.actor is None:
        return back("/login")
    found = await inbox(InboxQuery(page.identity.actor, limit=50))
    return await page.render(request, "notifications.html", inbox=found)


@post("/notifications/read", include_in_schema=False)
async def read_all(
    request: Req, page: FromDishka[Page], mark: FromDishka[MarkNoticesRead]
) -> Redirect:
    async def act(_: dict[str, Any]) -> None:
        await mark(MarkRead(page.identity.signed_in()))

    return await run_action(request, page, "/notifications", act)


# ---------------------------------------------------------------- officers


@get("/admin", include_in_schema=False)
async def admin(
    request: Req,
    page: FromDishka[Page],
    members: FromDishka[ListMembers],
    teams: FromDishka[ListAdminTeams],
    audit: FromDishka[ListAudit],
) -> Template | Redirect:
    actor = page.identity.actor
    if actor is None or not actor.is_officer:
        return back("/", error="permission.officer_only")
    query = request.query_params
    field = query.get("field", "name")
    page_number = number_of(query.get("page", ""), 1)
    approved = await members(
        MemberListQuery(
            actor,
            MemberStatus.APPROVED,
            (query.get("q") or "")[:100] or None,
            SearchField(field) if field in {f.value for f in SearchField} else SearchField.NAME,
            max(1, min(page_number, 100000)),
            20,
        )
    )
    return await page.render(
        request,
        "admin.html",
        pending_members=await members(MemberListQuery(actor, MemberStatus.PENDING, page_size=100)),
        pending_teams=await teams(AdminTeamListQuery(actor, TeamStatus.PENDING, page_size=100)),
        approved=approved,
        audit=await audit(actor, 1, 30),
        filters=dict(query),
    )


@post("/admin/{kind:str}/{action:str}", include_in_schema=False)
async def admin_batch(
    request: Req,
    kind: Segment,
    action: Segment,
    page: FromDishka[Page],
    approve_members: FromDishka[ApproveMembers],
    reject_members: FromDishka[RejectMembers],
    expel_members: FromDishka[ExpelMembers],
    approve_teams: FromDishka[ApproveTeams],
    reject_teams: FromDishka[RejectTeams],
) -> Redirect:
    uses: dict[tuple[str, str], Any] = {
        ("members", "approve"): approve_members,
        ("members", "reject"): reject_members,
        ("members", "expel"): expel_members,
        ("teams", "approve"): approve_teams,
        ("teams", "reject"): reject_teams,
    }
    use = uses.get((kind, action))
    if use is None:
        raise NotFoundException()

    async def act(form: dict[str, Any]) -> None:
        ids = ids_of(form)
        if ids:
            await use(Batch(page.identity.signed_in(), ids[:100]))

    return await run_action(request, page, "/admin", act)


@post("/admin/role/{member_id:int}", include_in_schema=False)
async def admin_role(
    request: Req, member_id: Id, page: FromDishka[Page], change: FromDishka[ChangeRole]
) -> Redirect:
    async def act(form: dict[str, Any]) -> None:
        role = Role.OFFICER if form.get("role") == "officer" else Role.MEMBER
        await change(RoleChange(page.identity.signed_in(), member_id, role))

    return await run_action(request, page, "/admin", act)


class WebProvider(Provider):
    page = provide(Page, scope=Scope.REQUEST)
    my_page = provide(MyPage, scope=Scope.REQUEST)


ROUTES = [
    board,
    team_page,
    like,
    apply,
    decide,
    manage,
    new_team,
    create_team,
    edit_team_page,
    edit_team,
    login,
    demo,
    demo_sign_in,
    logout,
    register_page,
    register,
    waiting,
    my_page,
    update_me,
    withdraw,
    member_page,
    notifications,
    read_all,
    admin,
    admin_batch,
    admin_role,
]
