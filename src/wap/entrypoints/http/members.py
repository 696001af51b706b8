from __future__ import annotations

from dishka import FromDishka
from litestar import get

from wap.application.members.get_profile import GetProfileQuery, GetPublicProfile
from wap.application.members.read_models import PublicProfile
from wap.entrypoints.http.params import Id
from wap.entrypoints.http.responses import errors


@get(
    "/members/{member_id:int}",
    tags=["members"],
    summary="Public profile of an approved member",
    responses=errors("member.not_found"),
)
async def public_profile(member_id: Id, get_profile: FromDishka[GetPublicProfile]) -> PublicProfile:
    return await get_profile(GetProfileQuery(member_id))
