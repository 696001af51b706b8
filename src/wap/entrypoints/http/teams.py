from __future__ import annotations

from dishka import FromDishka
from litestar import get

from wap.application.teams.get_team import GetTeamDetail, GetTeamQuery
from wap.application.teams.read_models import TeamDetail
from wap.entrypoints.http.params import Id
from wap.entrypoints.http.responses import errors


@get(
    "/teams/{team_id:int}",
    tags=["teams"],
    summary="Team detail",
    responses=errors("team.not_found"),
)
async def team_detail(team_id: Id, get_team: FromDishka[GetTeamDetail]) -> TeamDetail:
    return await get_team(GetTeamQuery(team_id))
