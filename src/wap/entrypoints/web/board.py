"""The board and the team pages: browse, like, apply, decide, manage, create and edit."""

from __future__ import annotations

from urllib.parse import urlencode

from dishka import FromDishka
from litestar import get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from wap.application.media.upload import Upload, UploadTeamImage
from wap.application.patch import UNSET
from wap.application.ports import Clock
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
    TeamAction,
    TeamDraft,
    TeamEdit,
)
from wap.application.teams.queries import (
    BoardQuery,
    GetTeamDetail,
    LikeCommand,
    ListTeamMembers,
    ListTeams,
    SetLike,
    TeamQuery,
)
from wap.domain.applications import ApplicationStatus
from wap.domain.errors import LeaderOnly, WapError
from wap.domain.members import MemberStatus
from wap.domain.teams import TeamStatus, parse_category, parse_genre, recruitment_closed
from wap.entrypoints.config import Settings
from wap.entrypoints.http.params import Id
from wap.entrypoints.web.bodies import (
    ApplyBody,
    Form,
    LikeBody,
    MemberBody,
    TeamBody,
    form_of,
    local_moment,
    slot_rows,
    slot_rows_of,
)
from wap.entrypoints.web.shared import (
    Page,
    Req,
    Segment,
    back,
    message,
    refusal,
    run_action,
)

BOARD_PAGE = 12
BOARD_FILTERS = ("status", "genre", "category", "q")


def board_filters(request: Req) -> dict[str, str]:
    """The board's filters as the form shows them again (missing ones empty)."""
    query = request.query_params
    return {key: (query.get(key) or "").strip()[:100] for key in BOARD_FILTERS}


def more_url(filters: dict[str, str], next_cursor: str | None) -> str | None:
    """더 보기: the same filters, from the next cursor on."""
    if not next_cursor:
        return None
    kept = {key: value for key, value in filters.items() if value}
    return "/?" + urlencode({**kept, "cursor": next_cursor})


@get("/", include_in_schema=False)
async def board(
    request: Req, page: FromDishka[Page], list_teams: FromDishka[ListTeams]
) -> Template:
    query = request.query_params
    filters = board_filters(request)
    status = TeamStatus.COMPLETED if filters["status"] == "completed" else TeamStatus.RECRUITING
    cursor = (query.get("cursor") or "")[:40] or None
    try:
        found = await list_teams(
            BoardQuery(
                actor=page.identity.actor,
                status=status,
                genre=parse_genre(filters["genre"]) if filters["genre"] else None,
                category=parse_category(filters["category"]) if filters["category"] else None,
                q=filters["q"] or None,
                cursor=cursor,
                limit=BOARD_PAGE,
            )
        )
        problem = None
    except WapError as refused:
        found, problem = None, message(refused, request)
    return await page.render(
        request,
        "board.html",
        teams=found,
        filters=filters,
        status=status.value,
        # Any narrowing (a filter, a search, a later page): an empty result is "no match",
        # not "no teams yet".
        filtered=status is TeamStatus.COMPLETED
        or cursor is not None
        or any(filters[key] for key in ("genre", "category", "q")),
        more_url=more_url(filters, found.next_cursor if found else None),
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
    mine: FromDishka[ListMyApplications],
    clock: FromDishka[Clock],
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
    # Your own pending application to this team, by slot: the slot shows it (지원함 · 취소)
    # instead of a second 지원하기.
    applied = {}
    if actor is not None and actor.status is MemberStatus.APPROVED:
        pending = await mine(actor, ApplicationStatus.PENDING)
        applied = {a.category: a for a in pending if a.team.id == team_id}
    return await page.render(
        request,
        "team.html",
        team=team,
        people=people,
        inbox=inbox,
        applied=applied,
        closed=recruitment_closed(team.recruit_until, clock.now()),
        is_leader=actor is not None and actor.member_id == team.leader_id,
        is_member=actor is not None and any(p.member.id == actor.member_id for p in people),
    )


@post("/teams/{team_id:int}/like", include_in_schema=False)
async def like(
    request: Req, team_id: Id, page: FromDishka[Page], set_like: FromDishka[SetLike]
) -> Redirect:
    async def act(form: Form) -> None:
        body = LikeBody.of(form)
        await set_like(LikeCommand(page.identity.signed_in(), team_id, like=body.like))

    return await run_action(request, page, f"/teams/{team_id}", act, "liked")


@post("/teams/{team_id:int}/apply", include_in_schema=False)
async def apply(
    request: Req, team_id: Id, page: FromDishka[Page], apply: FromDishka[Apply]
) -> Redirect:
    async def act(form: Form) -> None:
        body = ApplyBody.of(form)
        await apply(ApplyCommand(page.identity.signed_in(), team_id, body.category, body.message))

    return await run_action(request, page, f"/teams/{team_id}", act, "applied")


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
    withdraw: FromDishka[WithdrawApplication],
) -> Redirect:
    """The leader accepts or rejects; the applicant withdraws their own (from the slot)."""
    notices = {"accept": "accepted", "reject": "rejected", "withdraw": "withdrawn"}
    if verdict not in notices:
        raise NotFoundException()

    async def act(_: Form) -> None:
        actor = page.identity.signed_in()
        decision = Decision(actor, team_id, application_id)
        if verdict == "withdraw":
            await withdraw(Withdrawal(actor, application_id))
        else:
            await (accept(decision) if verdict == "accept" else reject(decision))

    return await run_action(request, page, f"/teams/{team_id}", act, notices[verdict])


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
    async def act(form: Form) -> None:
        actor = page.identity.signed_in()
        member_id = MemberBody.of(form).member_id
        if what == "complete":
            await complete(TeamAction(actor, team_id))
        elif what == "delete":
            await remove(TeamAction(actor, team_id))
        elif what == "leader":
            await hand(HandOver(actor, team_id, member_id))
        elif what == "remove":
            await leave(Departure(actor, team_id, member_id))
        elif what == "leave":
            await leave(Departure(actor, team_id, actor.member_id))
        else:
            raise NotFoundException()

    target = "/" if what == "delete" else f"/teams/{team_id}"
    notices = {"complete": "completed", "delete": "deleted", "leader": "handed_over"}
    notice = notices.get(what, "left" if what == "leave" else "removed")
    return await run_action(request, page, target, act, notice)


@get("/teams/new", include_in_schema=False)
async def new_team(request: Req, page: FromDishka[Page]) -> Template | Redirect:
    if page.identity.actor is None:
        return back("/login")
    return await page.render(
        request, "team_form.html", form={}, errors={}, team=None, rows=slot_rows([])
    )


@post("/teams/new", include_in_schema=False)
async def create_team(
    request: Req, page: FromDishka[Page], create: FromDishka[CreateTeam]
) -> Template | Redirect:
    form = await form_of(request)
    body = TeamBody.of(form)
    try:
        page.check_csrf(request, form)
        team = await create(
            TeamDraft(
                actor=page.identity.signed_in(),
                title=body.title,
                genre=body.genre,
                description=body.description,
                slots=body.slots,
                links=body.links,
                recruit_until=body.recruit_until,
            )
        )
    except WapError as refused:
        return await page.render(
            request,
            "team_form.html",
            form=form,
            team=None,
            rows=slot_rows_of(form),
            **refusal(refused, request),
        )
    return back(f"/teams/{team.id}", notice="created")


@get("/teams/{team_id:int}/edit", include_in_schema=False)
async def edit_team_page(
    request: Req, team_id: Id, page: FromDishka[Page], get_team: FromDishka[GetTeamDetail]
) -> Template | Redirect:
    actor = page.identity.actor
    if actor is None:
        return back("/login")
    team = await get_team(TeamQuery(team_id, actor))
    if team.leader_id != actor.member_id:  # only the leader edits (PATCH /teams/{id})
        return back(f"/teams/{team_id}", error="permission.leader_only")
    form = {
        "title": team.title,
        "genre": team.genre,
        "description": team.description,
        "links": "\n".join(team.links),
        "recruit_until": local_moment(team.recruit_until),
    }
    rows = slot_rows([(s.category, str(s.capacity)) for s in team.slots])
    return await page.render(request, "team_form.html", form=form, errors={}, team=team, rows=rows)


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
    body = TeamBody.of(form)
    try:
        page.check_csrf(request, form)
        actor = page.identity.signed_in()
        await edit(
            TeamEdit(
                actor=actor,
                team_id=team_id,
                title=body.title,
                genre=body.genre,
                description=body.description,
                slots=body.slots,
                links=body.links,
                recruit_until=UNSET if body.deadline_kept else body.recruit_until,
            )
        )
        if body.image is not None:
            data = await body.image.read(settings.max_image_bytes + 1)
            await upload(Upload(actor, data, team_id))
    except WapError as refused:
        if isinstance(refused, LeaderOnly):  # not the leader: no form to show them again
            return back(f"/teams/{team_id}", error=refused.code)
        team = await get_team(TeamQuery(team_id, page.identity.actor))
        return await page.render(
            request,
            "team_form.html",
            form=form,
            team=team,
            rows=slot_rows_of(form),
            **refusal(refused, request),
        )
    return back(f"/teams/{team_id}", notice="saved")


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
]
