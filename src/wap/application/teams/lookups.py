"""Reading one team for a use case: by id or refused as not found, and as its page."""

from __future__ import annotations

from wap.application.members.ports import MemberRepository
from wap.application.members.read_models import MemberSummary
from wap.application.teams.ports import TeamRepository
from wap.application.teams.read_models import TeamDetail
from wap.domain.errors import TeamNotFound
from wap.domain.teams import Team


async def load_team(teams: TeamRepository, team_id: int, *, lock: bool = False) -> Team:
    team = await (teams.get_for_update(team_id) if lock else teams.get(team_id))
    if team is None:
        raise TeamNotFound()
    return team


async def team_detail(team: Team, members: MemberRepository, liked: bool = False) -> TeamDetail:
    leader = await members.get(team.leader_id)
    return TeamDetail.of(team, MemberSummary.of(leader) if leader else None, liked)
