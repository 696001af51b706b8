"""/admin/*: the officers' console."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from dishka import FromDishka
from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromQuery, JSONBody, PathParameter, QueryParameter
from litestar.response import Stream
from msgspec import Meta

from wap.application.admin.batch import MAX_BATCH, Batch, BatchResult
from wap.application.admin.exports import ExportCsv, ExportRequest
from wap.application.admin.members import (
    MAX_PAGE_SIZE,
    ApproveMembers,
    AuditPage,
    ChangeRole,
    ExpelMembers,
    ListAudit,
    ListMembers,
    MemberListQuery,
    MemberPage,
    RejectMembers,
    RoleChange,
)
from wap.application.admin.ports import ExportKind
from wap.application.admin.teams import (
    AdminTeamListQuery,
    ApproveTeams,
    ListAdminTeams,
    RejectTeams,
)
from wap.application.members.ports import SearchField
from wap.application.members.read_models import OwnProfile
from wap.application.teams.ports import AdminTeamField
from wap.application.teams.read_models import AdminTeamPage
from wap.domain.members import MemberStatus, Role
from wap.domain.teams import TeamStatus
from wap.entrypoints.http.identity import Identity
from wap.entrypoints.http.params import MAX_ID, Id
from wap.entrypoints.http.problems import prefers_english
from wap.entrypoints.http.responses import OFFICER, errors

BatchId = Annotated[int, Meta(ge=1, le=MAX_ID)]


class IdsBody(msgspec.Struct, forbid_unknown_fields=True):
    ids: Annotated[list[BatchId], Meta(min_length=1, max_length=MAX_BATCH)]


class RoleBody(msgspec.Struct, forbid_unknown_fields=True):
    role: Literal["member", "officer"]


Page = Annotated[int, QueryParameter(ge=1, le=1_000_000)]
PageSize = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE)]


@get(
    "/admin/members",
    tags=["admin"],
    summary="Members waiting for approval, or approved, with search and pages",
    responses=errors(*OFFICER),
)
async def list_members(
    identity: FromDishka[Identity],
    list_members: FromDishka[ListMembers],
    status: FromQuery[Literal["pending", "approved"]] = "pending",
    q: Annotated[str | None, QueryParameter(max_length=100)] = None,
    field: FromQuery[Literal["name", "student_number", "position"]] = "name",
    page: Page = 1,
    page_size: PageSize = 20,
) -> MemberPage:
    return await list_members(
        MemberListQuery(
            actor=identity.signed_in(),
            status=MemberStatus(status),
            q=q,
            field=SearchField(field),
            page=page,
            page_size=page_size,
        )
    )


def _batch_route(path: str, summary: str, *codes: str) -> HTTPRouteHandler:
    return post(
        path,
        tags=["admin"],
        summary=summary,
        status_code=200,
        responses=errors(*OFFICER, *codes),
    )


@_batch_route("/admin/members/approve", "Approve pending sign-ups", "member.not_pending")
async def approve_members(
    data: JSONBody[IdsBody], identity: FromDishka[Identity], approve: FromDishka[ApproveMembers]
) -> BatchResult:
    return await approve(Batch(identity.signed_in(), tuple(data.ids)))


@_batch_route("/admin/members/reject", "Reject (delete) pending sign-ups", "member.not_pending")
async def reject_members(
    data: JSONBody[IdsBody], identity: FromDishka[Identity], reject: FromDishka[RejectMembers]
) -> BatchResult:
    return await reject(Batch(identity.signed_in(), tuple(data.ids)))


@_batch_route("/admin/members/expel", "Expel (delete) approved members", "member.last_officer")
async def expel_members(
    data: JSONBody[IdsBody], identity: FromDishka[Identity], expel: FromDishka[ExpelMembers]
) -> BatchResult:
    return await expel(Batch(identity.signed_in(), tuple(data.ids)))


@post(
    "/admin/members/{member_id:int}/role",
    tags=["admin"],
    summary="Promote to officer or demote to member",
    status_code=200,
    responses=errors(*OFFICER, "member.not_found", "member.last_officer"),
)
async def change_role(
    member_id: Id,
    data: JSONBody[RoleBody],
    identity: FromDishka[Identity],
    change: FromDishka[ChangeRole],
) -> OwnProfile:
    return await change(RoleChange(identity.signed_in(), member_id, Role(data.role)))


@get(
    "/admin/audit",
    tags=["admin"],
    summary="Who did which officer action to what, when (newest first)",
    responses=errors(*OFFICER),
)
async def audit(
    identity: FromDishka[Identity],
    list_audit: FromDishka[ListAudit],
    page: Page = 1,
    page_size: PageSize = 50,
) -> AuditPage:
    return await list_audit(identity.signed_in(), page, page_size)


@get(
    "/admin/teams",
    tags=["admin"],
    summary="Teams by status, with search and pages",
    responses=errors(*OFFICER),
)
async def list_teams(
    identity: FromDishka[Identity],
    list_teams: FromDishka[ListAdminTeams],
    status: FromQuery[Literal["pending", "recruiting", "completed"]] = "pending",
    term: Annotated[str | None, QueryParameter(max_length=10)] = None,
    q: Annotated[str | None, QueryParameter(max_length=100)] = None,
    field: FromQuery[Literal["title", "genre", "leader"]] = "title",
    page: Page = 1,
    page_size: PageSize = 20,
) -> AdminTeamPage:
    return await list_teams(
        AdminTeamListQuery(
            actor=identity.signed_in(),
            status=TeamStatus(status),
            term=term,
            q=q,
            field=AdminTeamField(field),
            page=page,
            page_size=page_size,
        )
    )


@_batch_route(
    "/admin/teams/approve", "Approve pending teams: they start recruiting", "team.not_pending"
)
async def approve_teams(
    data: JSONBody[IdsBody], identity: FromDishka[Identity], approve: FromDishka[ApproveTeams]
) -> BatchResult:
    return await approve(Batch(identity.signed_in(), tuple(data.ids)))


@_batch_route("/admin/teams/reject", "Reject (delete) pending teams", "team.not_pending")
async def reject_teams(
    data: JSONBody[IdsBody], identity: FromDishka[Identity], reject: FromDishka[RejectTeams]
) -> BatchResult:
    return await reject(Batch(identity.signed_in(), tuple(data.ids)))


@get(
    "/admin/exports/{name:str}",
    tags=["admin"],
    summary=(
        "CSV export: members.csv, teams.csv or applications.csv (UTF-8 with BOM); Korean "
        "headers and values, English with Accept-Language: en or lang=en"
    ),
    responses=errors(*OFFICER, "request.not_found"),
    media_type="text/csv; charset=utf-8",
)
async def export(
    request: Request[Any, Any, Any],
    name: Annotated[str, PathParameter(max_length=40)],
    identity: FromDishka[Identity],
    export_csv: FromDishka[ExportCsv],
    term: Annotated[str | None, QueryParameter(max_length=10)] = None,
    lang: FromQuery[Literal["ko", "en"] | None] = None,
) -> Stream:
    kind = {f"{k.value}.csv": k for k in ExportKind}.get(name)
    if kind is None:
        raise NotFoundException()
    english = lang == "en" or (
        lang is None and prefers_english(request.headers.get("accept-language"))
    )
    made = export_csv(ExportRequest(identity.signed_in(), kind, term, english))
    return Stream(
        made.chunks,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{made.filename}"'},
    )
