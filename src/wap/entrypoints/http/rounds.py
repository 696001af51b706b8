"""/rounds/*: the matching round (issue 18). Translate only: body → command → use case."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from dishka import FromDishka
from litestar import Request, delete, get, post, put
from litestar.params import FromQuery, JSONBody
from litestar.response import Stream
from msgspec import Meta

from wap.application.rounds.read_models import (
    MyChoices,
    Preview,
    PublishReport,
    RoundView,
    TeamApplicants,
)
from wap.application.rounds.use_cases import (
    AdjustCommand,
    Adjustment,
    AdjustRound,
    ApplicantsQuery,
    ChoicesCommand,
    ExportRound,
    GetMyChoices,
    GetRound,
    ListRoundApplicants,
    MyChoicesQuery,
    OpenRound,
    OpenRoundCommand,
    OptInCommand,
    PreviewRound,
    PublishRound,
    RankApplicants,
    RankingCommand,
    RoundAction,
    RoundExportRequest,
    RoundQuery,
    RunRound,
    SaveChoices,
    SetOptIn,
)
from wap.domain.rounds import DEFAULT_CHOICES, MAX_CHOICES
from wap.entrypoints.http.bodies import MESSAGE_MAX, Text
from wap.entrypoints.http.identity import Identity
from wap.entrypoints.http.params import MAX_ID, Id
from wap.entrypoints.http.problems import prefers_english
from wap.entrypoints.http.responses import APPROVED, LEADER, OFFICER, errors

BodyId = Annotated[int, Meta(ge=1, le=MAX_ID)]
Deadline = Annotated[datetime, Meta(tz=True)]


class OpenRoundBody(msgspec.Struct, forbid_unknown_fields=True):
    deadline: Deadline
    max_choices: Annotated[int, Meta(ge=1, le=MAX_CHOICES)] = DEFAULT_CHOICES


class ChoiceBody(msgspec.Struct, forbid_unknown_fields=True):
    team_id: BodyId
    category: Text


class ChoicesBody(msgspec.Struct, forbid_unknown_fields=True):
    choices: Annotated[list[ChoiceBody], Meta(max_length=50)]
    message: Annotated[str, Meta(max_length=MESSAGE_MAX)] | None = None


class RankingBody(msgspec.Struct, forbid_unknown_fields=True):
    member_ids: Annotated[list[BodyId], Meta(max_length=1000)]


class AdjustBody(msgspec.Struct, forbid_unknown_fields=True):
    member_id: BodyId
    team_id: BodyId
    category: Text
    action: Literal["pin", "remove", "reset"]


ROUND_CLOSED = ("round.not_found", "round.published", "round.still_open")


@post(
    "/rounds",
    tags=["rounds"],
    summary="Open the current term's matching round (officers)",
    status_code=201,
    responses=errors(*OFFICER, "round.already_open"),
)
async def open_round(
    data: JSONBody[OpenRoundBody], identity: FromDishka[Identity], open_it: FromDishka[OpenRound]
) -> RoundView:
    return await open_it(OpenRoundCommand(identity.signed_in(), data.deadline, data.max_choices))


@get(
    "/rounds/current",
    tags=["rounds"],
    summary="The current term's newest matching round",
    responses=errors("round.not_found"),
)
async def current_round(get_round: FromDishka[GetRound]) -> RoundView:
    return await get_round(RoundQuery())


@get(
    "/rounds/{round_id:int}",
    tags=["rounds"],
    summary="A matching round",
    responses=errors("round.not_found"),
)
async def round_detail(round_id: Id, get_round: FromDishka[GetRound]) -> RoundView:
    return await get_round(RoundQuery(round_id))


@post(
    "/rounds/{round_id:int}/run",
    status_code=200,
    tags=["rounds"],
    summary="Close the round now, before its deadline (officers)",
    responses=errors(*OFFICER, "round.not_found", "round.closed", "round.published"),
)
async def run_round(
    round_id: Id, identity: FromDishka[Identity], run: FromDishka[RunRound]
) -> RoundView:
    return await run(RoundAction(identity.signed_in(), round_id))


OPT_IN_ERRORS = errors(
    *LEADER, "round.not_found", "round.closed", "round.published", "round.team_not_in"
)


@put(
    "/rounds/{round_id:int}/teams/{team_id:int}",
    tags=["rounds"],
    summary="Offer the team's open places to the round (its leader)",
    responses=OPT_IN_ERRORS,
)
async def opt_in(
    round_id: Id, team_id: Id, identity: FromDishka[Identity], set_opt_in: FromDishka[SetOptIn]
) -> RoundView:
    return await set_opt_in(OptInCommand(identity.signed_in(), round_id, team_id, True))


@delete(
    "/rounds/{round_id:int}/teams/{team_id:int}",
    tags=["rounds"],
    summary="Take the team out of the round (its leader)",
    status_code=200,
    responses=OPT_IN_ERRORS,
)
async def opt_out(
    round_id: Id, team_id: Id, identity: FromDishka[Identity], set_opt_in: FromDishka[SetOptIn]
) -> RoundView:
    return await set_opt_in(OptInCommand(identity.signed_in(), round_id, team_id, False))


@get(
    "/rounds/{round_id:int}/choices/me",
    tags=["rounds"],
    summary="My ranked choices, and the slots the round offers",
    responses=errors(*APPROVED, "round.not_found"),
)
async def my_choices(
    round_id: Id, identity: FromDishka[Identity], get_mine: FromDishka[GetMyChoices]
) -> MyChoices:
    return await get_mine(MyChoicesQuery(identity.signed_in(), round_id))


@put(
    "/rounds/{round_id:int}/choices/me",
    tags=["rounds"],
    summary="Rank up to the round's number of (team, slot) choices, best first",
    responses=errors(
        *APPROVED,
        "round.not_found",
        "round.closed",
        "round.published",
        "round.not_eligible",
        "round.choice_invalid",
        "round.too_many_choices",
    ),
)
async def save_choices(
    round_id: Id,
    data: JSONBody[ChoicesBody],
    identity: FromDishka[Identity],
    save: FromDishka[SaveChoices],
) -> MyChoices:
    choices = tuple((c.team_id, c.category) for c in data.choices)
    return await save(ChoicesCommand(identity.signed_in(), round_id, choices, data.message))


@get(
    "/rounds/{round_id:int}/teams/{team_id:int}/applicants",
    tags=["rounds"],
    summary="Who chose the team's slots, in the team's order (its leader or officers)",
    responses=errors(*LEADER, "round.not_found"),
)
async def applicants(
    round_id: Id,
    team_id: Id,
    identity: FromDishka[Identity],
    list_them: FromDishka[ListRoundApplicants],
) -> TeamApplicants:
    return await list_them(ApplicantsQuery(identity.signed_in(), round_id, team_id))


@put(
    "/rounds/{round_id:int}/teams/{team_id:int}/ranking",
    tags=["rounds"],
    summary="Rank the team's applicants, best first; the unranked follow in the tie order",
    responses=errors(
        *LEADER,
        "round.not_found",
        "round.closed",
        "round.published",
        "round.team_not_in",
        "round.choice_invalid",
    ),
)
async def rank(
    round_id: Id,
    team_id: Id,
    data: JSONBody[RankingBody],
    identity: FromDishka[Identity],
    rank_them: FromDishka[RankApplicants],
) -> TeamApplicants:
    return await rank_them(
        RankingCommand(identity.signed_in(), round_id, team_id, tuple(data.member_ids))
    )


@get(
    "/rounds/{round_id:int}/preview",
    tags=["rounds"],
    summary="Who goes where, ranks obtained, who stays unplaced and why (officers)",
    responses=errors(*OFFICER, *ROUND_CLOSED),
)
async def preview(
    round_id: Id, identity: FromDishka[Identity], preview_it: FromDishka[PreviewRound]
) -> Preview:
    return await preview_it(RoundAction(identity.signed_in(), round_id))


@post(
    "/rounds/{round_id:int}/adjustments",
    status_code=200,
    tags=["rounds"],
    summary="Pin or remove one (member, slot) pair, or undo either; the preview recomputed",
    responses=errors(*OFFICER, *ROUND_CLOSED, "round.pin_invalid"),
)
async def adjust(
    round_id: Id,
    data: JSONBody[AdjustBody],
    identity: FromDishka[Identity],
    adjust_it: FromDishka[AdjustRound],
) -> Preview:
    return await adjust_it(
        AdjustCommand(
            identity.signed_in(),
            round_id,
            data.member_id,
            data.team_id,
            data.category,
            Adjustment(data.action),
        )
    )


@post(
    "/rounds/{round_id:int}/publish",
    status_code=200,
    tags=["rounds"],
    summary="Publish: every pair joins through the guarded join; pairs that no longer fit are "
    "reported and skipped (officers)",
    responses=errors(*OFFICER, *ROUND_CLOSED),
)
async def publish(
    round_id: Id, identity: FromDishka[Identity], publish_it: FromDishka[PublishRound]
) -> PublishReport:
    return await publish_it(RoundAction(identity.signed_in(), round_id))


@get(
    "/rounds/{round_id:int}/export.csv",
    tags=["rounds"],
    summary="The round's result as CSV (UTF-8 with BOM); English with lang=en (officers)",
    responses=errors(*OFFICER, *ROUND_CLOSED),
    media_type="text/csv; charset=utf-8",
)
async def export(
    request: Request[Any, Any, Any],
    round_id: Id,
    identity: FromDishka[Identity],
    export_it: FromDishka[ExportRound],
    lang: FromQuery[Literal["ko", "en"] | None] = None,
) -> Stream:
    english = lang == "en" or (
        lang is None and prefers_english(request.headers.get("accept-language"))
    )
    made = await export_it(RoundExportRequest(identity.signed_in(), round_id, english))
    return Stream(
        made.chunks,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{made.filename}"'},
    )


ROUTES = [
    open_round,
    current_round,
    round_detail,
    run_round,
    opt_in,
    opt_out,
    my_choices,
    save_choices,
    applicants,
    rank,
    preview,
    adjust,
    publish,
    export,
]
