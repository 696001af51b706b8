"""The officer console: the sign-up and team queues, the member list with roles, the audit
log, and the batch actions on them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from dishka import FromDishka
from litestar import get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from wap.application.admin.batch import Batch, BatchResult
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
from wap.application.members.ports import SearchField
from wap.application.ports import Clock
from wap.domain.members import MemberStatus
from wap.domain.teams import TeamStatus
from wap.domain.terms import Term
from wap.entrypoints.http.params import Id
from wap.entrypoints.web.bodies import Form, IdsBody, RoleBody, number_of
from wap.entrypoints.web.shared import Page, Req, Segment, back, run_action


@get("/admin", include_in_schema=False)
async def admin(
    request: Req,
    page: FromDishka[Page],
    members: FromDishka[ListMembers],
    teams: FromDishka[ListAdminTeams],
    audit: FromDishka[ListAudit],
    clock: FromDishka[Clock],
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
        terms=recent_terms(Term.at(clock.now())),
    )


def recent_terms(current: Term, count: int = 6) -> list[str]:
    """The CSV exports' term picker: this term first, then the ones before it."""
    terms, term = [], current
    for _ in range(count):
        terms.append(str(term))
        term = Term(term.year, 1) if term.half == 2 else Term(term.year - 1, 2)
    return terms


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
    uses: dict[tuple[str, str], Callable[[Batch], Awaitable[BatchResult]]] = {
        ("members", "approve"): approve_members,
        ("members", "reject"): reject_members,
        ("members", "expel"): expel_members,
        ("teams", "approve"): approve_teams,
        ("teams", "reject"): reject_teams,
    }
    use = uses.get((kind, action))
    if use is None:
        raise NotFoundException()

    async def act(form: Form) -> BatchResult | None:
        ids = IdsBody.of(form).ids
        return await use(Batch(page.identity.signed_in(), ids)) if ids else None

    return await run_action(request, page, "/admin", act)


@post("/teams/{team_id:int}/review/{verdict:str}", include_in_schema=False)
async def review_team(
    request: Req,
    team_id: Id,
    verdict: Segment,
    page: FromDishka[Page],
    approve: FromDishka[ApproveTeams],
    reject: FromDishka[RejectTeams],
) -> Redirect:
    """An officer approves or rejects a pending team from its own page."""
    if verdict not in ("approve", "reject"):
        raise NotFoundException()

    async def act(_: Form) -> BatchResult:
        batch = Batch(page.identity.signed_in(), (team_id,))
        return await (approve(batch) if verdict == "approve" else reject(batch))

    if verdict == "approve":
        return await run_action(request, page, f"/teams/{team_id}", act, "team_approved")
    return await run_action(request, page, "/admin", act, "team_rejected")


@post("/admin/role/{member_id:int}", include_in_schema=False)
async def admin_role(
    request: Req, member_id: Id, page: FromDishka[Page], change: FromDishka[ChangeRole]
) -> Redirect:
    async def act(form: Form) -> None:
        await change(RoleChange(page.identity.signed_in(), member_id, RoleBody.of(form).role))

    return await run_action(request, page, "/admin", act, "role")


ROUTES = [admin, admin_batch, review_team, admin_role]
