"""The officer console: the sign-up and team queues, the member list with roles, the audit
log, and the batch actions on them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import partial
from urllib.parse import urlencode

from dishka import FromDishka
from litestar import get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template
from markupsafe import Markup

from wap.application.admin.batch import Batch, BatchResult
from wap.application.admin.dashboard import CLOSED as CLOSED_STATE
from wap.application.admin.dashboard import Dashboard, GetDashboard
from wap.application.admin.members import (
    OPERATOR,
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
from wap.application.labels import CLOSED, TEAM_STATUS
from wap.application.members.ports import SearchField
from wap.application.ports import Clock
from wap.domain.members import MemberStatus
from wap.domain.teams import TeamStatus
from wap.domain.terms import Term
from wap.entrypoints.http.params import Id
from wap.entrypoints.web.bodies import Form, IdsBody, RoleBody, number_of
from wap.entrypoints.web.charts import Bar, bar_chart
from wap.entrypoints.web.format import WEEKDAYS_KO
from wap.entrypoints.web.shared import Page, Req, Segment, back, english, run_action

PAGE_SIZE = 20
AUDIT_PAGE_SIZE = 20
MAX_PAGE = 100000
# The console's own query parameters: each list pages on its own.
PAGING = ("page", "mp", "tp", "ap")  # members, sign-up queue, team queue, audit log


def _page_of(query: Mapping[str, str], name: str) -> int:
    return max(1, min(number_of(query.get(name, ""), 1), MAX_PAGE))


def page_link(query: Mapping[str, str], anchor: str, **changes: int) -> str:
    """The console with one list on another page, the others where they were."""
    kept = {k: v for k, v in query.items() if k in (*PAGING, "q", "field")}
    params = {**kept, **{k: str(v) for k, v in changes.items()}}
    return "/admin?" + urlencode(params) + "#" + anchor


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart and the table a screen reader (or anyone) can read instead."""

    id: str
    title: str
    svg: Markup
    columns: tuple[str, ...]  # the row label's header, then one per series
    rows: list[Bar]


def _day(day: date, en: bool) -> str:
    if en:
        return f"{day:%a} {day.day} {day:%b}"
    return f"{day.month}월 {day.day}일 ({WEEKDAYS_KO[day.weekday()]})"


def _state(code: str, en: bool) -> str:
    words = CLOSED if code == CLOSED_STATE else TEAM_STATUS.get(code, (code, code))
    return words[1] if en else words[0]


def charts_of(board: Dashboard, en: bool) -> list[Chart]:
    """The four charts of the week, in the page's language."""
    people = ("placed", "unplaced") if en else ("배치", "미배치")
    unit = "" if en else "명"
    specs: list[tuple[str, str, str, tuple[str, ...], list[Bar], str]] = [
        (
            "chart-positions",
            "Members by position" if en else "포지션별 회원 배치",
            "Position" if en else "포지션",
            people,
            [Bar(p.position, (p.placed, p.unplaced)) for p in board.positions],
            unit,
        ),
        (
            "chart-slots",
            "Open places by category" if en else "분야별 남은 자리",
            "Category" if en else "분야",
            ("open",) if en else ("남은 자리",),
            [Bar(c.key, (c.count,)) for c in board.open_slots],
            "" if en else "자리",
        ),
        (
            "chart-applications",
            "Applications per day" if en else "날짜별 지원 수",
            "Day" if en else "날짜",
            ("applications",) if en else ("지원",),
            [Bar(_day(d.day, en), (d.count,)) for d in board.applications],
            "" if en else "건",
        ),
        (
            "chart-teams",
            "Teams by state" if en else "상태별 팀 수",
            "State" if en else "상태",
            ("teams",) if en else ("팀",),
            [Bar(_state(t.key, en), (t.count,)) for t in board.teams],
            "" if en else "개",
        ),
    ]
    empty = "No data yet" if en else "자료가 없습니다"
    return [
        Chart(
            chart_id,
            title,
            bar_chart(
                chart_id,
                title,
                bars,
                series if len(series) > 1 else ("",),
                unit=unit,
                empty=empty,
            ),
            (first, *series),
            bars,
        )
        for chart_id, title, first, series, bars, unit in specs
    ]


@get("/admin", include_in_schema=False)
async def admin(
    request: Req,
    page: FromDishka[Page],
    members: FromDishka[ListMembers],
    teams: FromDishka[ListAdminTeams],
    audit: FromDishka[ListAudit],
    dashboard: FromDishka[GetDashboard],
    clock: FromDishka[Clock],
) -> Template | Redirect:
    actor = page.identity.actor
    if actor is None or not actor.is_officer:
        return back("/", error="permission.officer_only")
    query = request.query_params
    field = query.get("field", "name")
    approved = await members(
        MemberListQuery(
            actor,
            MemberStatus.APPROVED,
            (query.get("q") or "")[:100] or None,
            SearchField(field) if field in {f.value for f in SearchField} else SearchField.NAME,
            _page_of(query, "page"),
            PAGE_SIZE,
        )
    )
    kept = {k: str(v) for k, v in query.items()}
    board = await dashboard(actor)
    return await page.render(
        request,
        "admin.html",
        charts=charts_of(board, english(request)),
        charts_term=board.term,
        pending_members=await members(
            MemberListQuery(
                actor, MemberStatus.PENDING, page=_page_of(query, "mp"), page_size=PAGE_SIZE
            )
        ),
        pending_teams=await teams(
            AdminTeamListQuery(
                actor, TeamStatus.PENDING, page=_page_of(query, "tp"), page_size=PAGE_SIZE
            )
        ),
        approved=approved,
        audit=await audit(actor, _page_of(query, "ap"), AUDIT_PAGE_SIZE),
        filters=dict(query),
        link=partial(page_link, kept),
        terms=recent_terms(Term.at(clock.now())),
        operator=OPERATOR,
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

    chose: list[bool] = []

    async def act(form: Form) -> BatchResult | None:
        ids = IdsBody.of(form).ids
        chose.append(bool(ids))
        return await use(Batch(page.identity.signed_in(), ids)) if ids else None

    done = await run_action(request, page, "/admin", act, BATCH_NOTICES[(kind, action)])
    if chose == [False]:  # the form was sound but named no one: say so, not "approved"
        return back("/admin", notice="nothing_chosen")
    return done


# The success message of each batch (``NOTICES`` in web/shared.py).
BATCH_NOTICES = {
    ("members", "approve"): "members_approved",
    ("members", "reject"): "members_rejected",
    ("members", "expel"): "members_expelled",
    ("teams", "approve"): "teams_approved",
    ("teams", "reject"): "teams_rejected",
}


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
