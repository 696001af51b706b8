from __future__ import annotations

from dataclasses import dataclass

from wap.application.members.ports import MemberRepository
from wap.application.members.read_models import MemberSummary
from wap.application.teams.ports import TeamRepository
from wap.application.teams.read_models import TeamDetail
from wap.domain.errors import TeamNotFound
from wap.domain.members import Actor


@dataclass(frozen=True, slots=True)
class GetTeamQuery:
    team_id: int
    actor: Actor | None = None


class GetTeamDetail:
    """A team's detail. A pending team is ``team.not_found`` to all but its leader and officers."""

    def __init__(self, teams: TeamRepository, members: MemberRepository) -> None:
        self._teams = teams
        self._members = members

    async def __call__(self, query: GetTeamQuery) -> TeamDetail:
        team = await self._teams.get(query.team_id)
        if team is None:
            raise TeamNotFound()
        team.ensure_visible_to(query.actor)
        leader = await self._members.get(team.leader_id)
        return TeamDetail.of(team, MemberSummary.of(leader) if leader else None)
