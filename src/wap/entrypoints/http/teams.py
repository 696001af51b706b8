"""/teams/*, /applications/*: the team board, a team's page, applying and deciding."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from dishka import FromDishka
from litestar import Request, Response, delete, get, patch, post, put
from litestar.params import FromQuery, JSONBody, MultipartBody, QueryParameter

from wap.application.media.upload import Upload, UploadTeamImage
from wap.application.teams.applying import (
    AcceptApplication,
    Apply,
    ApplyCommand,
    Decision,
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
    ListTeamMembers,
    ListTeams,
    SetLike,
    TeamQuery,
)
from wap.application.teams.read_models import (
    ApplicationView,
    LikeState,
    MyApplicationView,
    TeamDetail,
    TeamMemberView,
    TeamPage,
)
from wap.domain.applications import ApplicationStatus
from wap.domain.teams import TeamStatus, parse_category, parse_genre
from wap.entrypoints.config import Settings
from wap.entrypoints.http.bodies import (
    ApplyBody,
    HeirBody,
    ImageForm,
    NewTeamBody,
    TeamPatchBody,
    unpatched,
)
from wap.entrypoints.http.identity import Identify, Identity
from wap.entrypoints.http.params import Id
from wap.entrypoints.http.responses import APPROVED, CREDENTIALS, LEADER, SIGNED_IN, errors

ApplicationState = Literal["pending", "accepted", "rejected", "withdrawn", "expired"]


@get(
    "/teams",
    tags=["teams"],
    summary="The team board: a cursor page, newest first",
    responses=errors(*CREDENTIALS, "team.genre_invalid", "team.category_invalid"),
)
async def list_teams(
    identity: FromDishka[Identity],
    list_teams: FromDishka[ListTeams],
    status: FromQuery[Literal["recruiting", "completed"]] = "recruiting",
    term: Annotated[str | None, QueryParameter(max_length=10)] = None,
    genre: Annotated[str | None, QueryParameter(max_length=20)] = None,
    category: Annotated[str | None, QueryParameter(max_length=30)] = None,
    q: Annotated[str | None, QueryParameter(max_length=100)] = None,
    cursor: Annotated[str | None, QueryParameter(max_length=40)] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=50)] = 20,
) -> TeamPage:
    return await list_teams(
        BoardQuery(
            actor=identity.actor,
            status=TeamStatus(status),
            term=term,
            genre=parse_genre(genre) if genre else None,
            category=parse_category(category) if category else None,
            q=q,
            cursor=cursor,
            limit=limit,
        )
    )


@post(
    "/teams",
    tags=["teams"],
    summary="Open a team (pending until an officer approves it)",
    status_code=201,
    responses=errors(
        *APPROVED,
        "team.title_invalid",
        "team.title_taken",
        "team.genre_invalid",
        "team.description_invalid",
        "team.category_invalid",
        "team.capacity_invalid",
    ),
)
async def create_team(
    data: JSONBody[NewTeamBody], identity: FromDishka[Identity], create: FromDishka[CreateTeam]
) -> TeamDetail:
    return await create(
        TeamDraft(
            actor=identity.signed_in(),
            title=data.title,
            genre=data.genre,
            description=data.description,
            slots=tuple(SlotRequest(s.category, s.capacity) for s in data.slots),
            links=tuple(data.links),
            recruit_until=data.recruit_until,
        )
    )


@get(
    "/teams/{team_id:int}",
    tags=["teams"],
    summary="A team's page (a pending one only for its leader and officers)",
    responses=errors(*CREDENTIALS, "team.not_found"),
)
async def team_detail(
    team_id: Id,
    request: Request[Any, Any, Any],
    identify: FromDishka[Identify],
    get_team: FromDishka[GetTeamDetail],
) -> TeamDetail:
    # A hot read: the caller through the app's Identify, so that a request without a token
    # never opens dishka's request scope (scopes.py).
    identity = await identify(request)
    return await get_team(TeamQuery(team_id, identity.actor, identity.viewer))


@patch(
    "/teams/{team_id:int}",
    tags=["teams"],
    summary="Edit fields and slots (slots are replaced, matched by category)",
    responses=errors(
        *LEADER,
        "team.title_invalid",
        "team.title_taken",
        "team.genre_invalid",
        "team.description_invalid",
        "team.category_invalid",
        "team.capacity_invalid",
        "team.slot_in_use",
        "team.capacity_below_filled",
    ),
)
async def edit_team(
    team_id: Id,
    data: JSONBody[TeamPatchBody],
    identity: FromDishka[Identity],
    edit: FromDishka[EditTeam],
) -> TeamDetail:
    slots = unpatched(data.slots)
    if isinstance(slots, list):
        slots = tuple(SlotRequest(s.category, s.capacity) for s in slots)
    links = unpatched(data.links)
    return await edit(
        TeamEdit(
            actor=identity.signed_in(),
            team_id=team_id,
            title=unpatched(data.title),
            genre=unpatched(data.genre),
            description=unpatched(data.description),
            links=tuple(links) if isinstance(links, list) else links,
            slots=slots,
            recruit_until=unpatched(data.recruit_until),
        )
    )


@put(
    "/teams/{team_id:int}/image",
    tags=["teams"],
    summary="Upload the team's image (multipart field `image`); a thumbnail is made",
    responses=errors(*LEADER, "image.invalid", "image.too_large", "service.unavailable"),
)
async def team_image(
    team_id: Id,
    data: MultipartBody[ImageForm],
    identity: FromDishka[Identity],
    settings: FromDishka[Settings],
    upload: FromDishka[UploadTeamImage],
) -> TeamDetail:
    content = await data.image.read(settings.max_image_bytes + 1)
    return await upload(Upload(identity.signed_in(), content, team_id))


@delete(
    "/teams/{team_id:int}",
    tags=["teams"],
    summary="Delete a team (leader or officer)",
    status_code=204,
    responses=errors(*LEADER),
)
async def delete_team(
    team_id: Id, identity: FromDishka[Identity], remove: FromDishka[DeleteTeam]
) -> None:
    await remove(TeamAction(identity.signed_in(), team_id))


@post(
    "/teams/{team_id:int}/complete",
    tags=["teams"],
    summary="Mark the team completed (leader or officer)",
    status_code=200,
    responses=errors(*LEADER, "team.not_recruiting"),
)
async def complete_team(
    team_id: Id, identity: FromDishka[Identity], complete: FromDishka[CompleteTeam]
) -> TeamDetail:
    return await complete(TeamAction(identity.signed_in(), team_id))


@post(
    "/teams/{team_id:int}/leader",
    tags=["teams"],
    summary="Hand leadership to a member of the team (the two swap places)",
    status_code=200,
    responses=errors(*LEADER, "team.not_member"),
)
async def hand_over(
    team_id: Id,
    data: JSONBody[HeirBody],
    identity: FromDishka[Identity],
    hand: FromDishka[HandOverLeadership],
) -> TeamDetail:
    return await hand(HandOver(identity.signed_in(), team_id, data.member_id))


@get(
    "/teams/{team_id:int}/members",
    tags=["teams"],
    summary="The leader and members, each with their slot",
    responses=errors(*CREDENTIALS, "team.not_found"),
)
async def team_members(
    team_id: Id, identity: FromDishka[Identity], list_members: FromDishka[ListTeamMembers]
) -> list[TeamMemberView]:
    return await list_members(TeamQuery(team_id, identity.actor))


@delete(
    "/teams/{team_id:int}/members/{member_id:int}",
    tags=["teams"],
    summary="Leave the team, or (leader) remove a member; the place frees up",
    status_code=204,
    responses=errors(
        *SIGNED_IN,
        "team.not_found",
        "permission.owner_only",
        "team.not_member",
        "team.leader_cannot_leave",
    ),
)
async def leave_team(
    team_id: Id, member_id: Id, identity: FromDishka[Identity], leave: FromDishka[LeaveTeam]
) -> None:
    await leave(Departure(identity.signed_in(), team_id, member_id))


@post(
    "/teams/{team_id:int}/applications",
    tags=["applications"],
    summary="Apply to one slot of a recruiting team",
    status_code=201,
    responses=errors(
        *APPROVED,
        "team.not_found",
        "team.not_recruiting",
        "team.recruitment_closed",
        "team.category_invalid",
        "application.slot_full",
        "application.duplicate",
        "application.already_member",
        "application.own_team",
    ),
)
async def apply(
    team_id: Id, data: JSONBody[ApplyBody], identity: FromDishka[Identity], apply: FromDishka[Apply]
) -> MyApplicationView:
    return await apply(ApplyCommand(identity.signed_in(), team_id, data.category, data.message))


@get(
    "/teams/{team_id:int}/applications",
    tags=["applications"],
    summary="Applications to the team (leader)",
    responses=errors(*LEADER),
)
async def team_applications(
    team_id: Id,
    identity: FromDishka[Identity],
    list_applications: FromDishka[ListTeamApplications],
    status: FromQuery[ApplicationState | None] = "pending",
) -> list[ApplicationView]:
    return await list_applications(
        TeamApplicationsQuery(
            identity.signed_in(), team_id, ApplicationStatus(status) if status else None
        )
    )


DECIDE_ERRORS = errors(
    *LEADER,
    "application.not_found",
    "application.not_pending",
    "application.slot_full",
    "team.not_recruiting",
    "team.recruitment_closed",
)


@post(
    "/teams/{team_id:int}/applications/{application_id:int}/accept",
    tags=["applications"],
    summary="Accept: the applicant takes a place in the slot, atomically",
    status_code=200,
    responses=DECIDE_ERRORS,
)
async def accept_application(
    team_id: Id,
    application_id: Id,
    identity: FromDishka[Identity],
    accept: FromDishka[AcceptApplication],
) -> ApplicationView:
    return await accept(Decision(identity.signed_in(), team_id, application_id))


@post(
    "/teams/{team_id:int}/applications/{application_id:int}/reject",
    tags=["applications"],
    summary="Reject an application",
    status_code=200,
    responses=DECIDE_ERRORS,
)
async def reject_application(
    team_id: Id,
    application_id: Id,
    identity: FromDishka[Identity],
    reject: FromDishka[RejectApplication],
) -> ApplicationView:
    return await reject(Decision(identity.signed_in(), team_id, application_id))


@delete(
    "/applications/{application_id:int}",
    tags=["applications"],
    summary="Withdraw one's own pending application",
    status_code=204,
    responses=errors(*SIGNED_IN, "application.not_found", "application.not_pending"),
)
async def withdraw_application(
    application_id: Id, identity: FromDishka[Identity], withdraw: FromDishka[WithdrawApplication]
) -> None:
    await withdraw(Withdrawal(identity.signed_in(), application_id))


LIKE_ERRORS = errors(*APPROVED, "team.not_found")


@put(
    "/teams/{team_id:int}/like", tags=["teams"], summary="Like (idempotent)", responses=LIKE_ERRORS
)
async def like_team(
    team_id: Id, identity: FromDishka[Identity], set_like: FromDishka[SetLike]
) -> LikeState:
    return await set_like(LikeCommand(identity.signed_in(), team_id, like=True))


@delete(
    "/teams/{team_id:int}/like",
    tags=["teams"],
    summary="Unlike (idempotent)",
    status_code=200,
    responses=LIKE_ERRORS,
)
async def unlike_team(
    team_id: Id, identity: FromDishka[Identity], set_like: FromDishka[SetLike]
) -> Response[LikeState]:
    return Response(await set_like(LikeCommand(identity.signed_in(), team_id, like=False)))
