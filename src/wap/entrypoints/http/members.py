from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from dishka import FromDishka
from litestar import Request, get, patch, post, put
from litestar.params import FromQuery, JSONBody, MultipartBody
from msgspec import Meta

from wap.application.auth.sign_up import GetOwnProfile, Register, Registration
from wap.application.media.upload import Upload, UploadAvatar
from wap.application.members.get_profile import GetProfileQuery, GetPublicProfile
from wap.application.members.read_models import OwnProfile, PublicProfile
from wap.application.members.update_profile import ProfileEdit, UpdateProfile
from wap.application.teams.applying import ListMyApplications
from wap.application.teams.queries import ListLikedTeams, ListMemberTeams, MemberTeamsQuery
from wap.application.teams.read_models import MyApplicationView, TeamSummary
from wap.domain.applications import ApplicationStatus
from wap.domain.teams import TeamStatus
from wap.entrypoints.config import Settings
from wap.entrypoints.http.bodies import (
    EMAIL_CODE_MAX,
    EMAIL_MAX,
    ImageForm,
    ProfilePatchBody,
    unpatched,
)
from wap.entrypoints.http.identity import Identify, Identity
from wap.entrypoints.http.params import Id
from wap.entrypoints.http.responses import APPROVED, CREDENTIALS, SIGNED_IN, errors

ShortText = Annotated[str, Meta(max_length=100)]


class RegistrationBody(msgspec.Struct, forbid_unknown_fields=True):
    name: ShortText
    student_number: ShortText
    position: ShortText
    email: Annotated[str, Meta(max_length=EMAIL_MAX)]
    email_code: Annotated[str, Meta(max_length=EMAIL_CODE_MAX)]


@get(
    "/members/{member_id:int}",
    tags=["members"],
    summary="Public profile of an approved member",
    responses=errors(*CREDENTIALS, "member.not_found"),
)
async def public_profile(
    member_id: Id,
    request: Request[Any, Any, Any],
    identify: FromDishka[Identify],
    get_profile: FromDishka[GetPublicProfile],
) -> PublicProfile:
    # A hot read, like the team page (teams.py: team_detail).
    identity = await identify(request)
    return await get_profile(GetProfileQuery(member_id, identity.actor))


@get(
    "/members/me",
    tags=["members"],
    summary="Own profile, with e-mail, student number and settings",
    responses=errors(*SIGNED_IN),
)
async def own_profile(identity: FromDishka[Identity], get: FromDishka[GetOwnProfile]) -> OwnProfile:
    return await get(identity.signed_in())


@post(
    "/members/me/registration",
    tags=["members"],
    summary="Finish sign-up with the e-mailed code",
    status_code=201,
    responses=errors(
        *SIGNED_IN,
        "member.not_registering",
        "member.name_invalid",
        "member.student_number_invalid",
        "member.student_number_taken",
        "member.position_invalid",
        "email.code_mismatch",
        "email.code_expired",
        "email.domain_not_allowed",
        "rate.limited",
    ),
)
async def register(
    data: JSONBody[RegistrationBody], identity: FromDishka[Identity], register: FromDishka[Register]
) -> OwnProfile:
    return await register(
        Registration(
            actor=identity.signed_in(),
            name=data.name,
            student_number=data.student_number,
            position=data.position,
            email=data.email,
            email_code=data.email_code,
        )
    )


@patch(
    "/members/me",
    tags=["members"],
    summary="Update one's profile: bio, position, tech stack, links, settings",
    responses=errors(*APPROVED, "member.position_invalid"),
)
async def update_profile(
    data: JSONBody[ProfilePatchBody],
    identity: FromDishka[Identity],
    update: FromDishka[UpdateProfile],
) -> OwnProfile:
    tech_stack, links = unpatched(data.tech_stack), unpatched(data.links)
    return await update(
        ProfileEdit(
            actor=identity.signed_in(),
            bio=unpatched(data.bio),
            position=unpatched(data.position),
            tech_stack=tuple(tech_stack) if isinstance(tech_stack, list) else tech_stack,
            links=tuple(links) if isinstance(links, list) else links,
            notify_email=unpatched(data.notify_email),
            language=unpatched(data.language),
        )
    )


@put(
    "/members/me/avatar",
    tags=["members"],
    summary="Upload one's avatar (multipart field `image`); a thumbnail is made",
    responses=errors(*APPROVED, "image.invalid", "image.too_large", "service.unavailable"),
)
async def upload_avatar(
    data: MultipartBody[ImageForm],
    identity: FromDishka[Identity],
    settings: FromDishka[Settings],
    upload: FromDishka[UploadAvatar],
) -> OwnProfile:
    content = await data.image.read(settings.max_image_bytes + 1)
    return await upload(Upload(identity.signed_in(), content))


@get(
    "/members/{member_id:int}/teams",
    tags=["members"],
    summary="The teams a member is in",
    responses=errors(*CREDENTIALS, "member.not_found"),
)
async def member_teams(
    member_id: Id,
    identity: FromDishka[Identity],
    list_teams: FromDishka[ListMemberTeams],
    status: FromQuery[Literal["recruiting", "completed"] | None] = None,
) -> list[TeamSummary]:
    return await list_teams(
        MemberTeamsQuery(member_id, TeamStatus(status) if status else None, identity.actor)
    )


@get(
    "/members/me/applications",
    tags=["members"],
    summary="One's own applications, with their team",
    responses=errors(*APPROVED),
)
async def my_applications(
    identity: FromDishka[Identity],
    list_mine: FromDishka[ListMyApplications],
    status: FromQuery[
        Literal["pending", "accepted", "rejected", "withdrawn", "expired"] | None
    ] = None,
) -> list[MyApplicationView]:
    return await list_mine(identity.signed_in(), ApplicationStatus(status) if status else None)


@get(
    "/members/me/likes",
    tags=["members"],
    summary="Teams one likes",
    responses=errors(*APPROVED),
)
async def my_likes(
    identity: FromDishka[Identity], liked: FromDishka[ListLikedTeams]
) -> list[TeamSummary]:
    return await liked(identity.signed_in())
