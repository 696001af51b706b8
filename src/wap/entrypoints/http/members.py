from __future__ import annotations

from typing import Annotated

import msgspec
from dishka import FromDishka
from litestar import get, post
from litestar.params import JSONBody
from msgspec import Meta

from wap.application.auth.sign_up import GetOwnProfile, Register, Registration
from wap.application.members.get_profile import GetProfileQuery, GetPublicProfile
from wap.application.members.read_models import OwnProfile, PublicProfile
from wap.entrypoints.http.identity import Identity
from wap.entrypoints.http.params import Id
from wap.entrypoints.http.responses import errors

ShortText = Annotated[str, Meta(max_length=100)]


class RegistrationBody(msgspec.Struct, forbid_unknown_fields=True):
    name: ShortText
    student_number: ShortText
    position: ShortText
    email: Annotated[str, Meta(max_length=254)]
    email_code: Annotated[str, Meta(max_length=32)]


@get(
    "/members/{member_id:int}",
    tags=["members"],
    summary="Public profile of an approved member",
    responses=errors("member.not_found"),
)
async def public_profile(
    member_id: Id, identity: FromDishka[Identity], get_profile: FromDishka[GetPublicProfile]
) -> PublicProfile:
    return await get_profile(GetProfileQuery(member_id, identity.actor))


@get(
    "/members/me",
    tags=["members"],
    summary="Own profile, with e-mail, student number and settings",
    responses=errors("auth.required", "auth.token_invalid", "auth.token_expired"),
)
async def own_profile(identity: FromDishka[Identity], get: FromDishka[GetOwnProfile]) -> OwnProfile:
    return await get(identity.signed_in())


@post(
    "/members/me/registration",
    tags=["members"],
    summary="Finish sign-up with the e-mailed code",
    status_code=201,
    responses=errors(
        "auth.required",
        "member.not_registering",
        "member.name_invalid",
        "member.student_number_invalid",
        "member.student_number_taken",
        "member.position_invalid",
        "email.code_mismatch",
        "email.code_expired",
        "email.domain_not_allowed",
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
