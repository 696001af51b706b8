from __future__ import annotations

from datetime import datetime

import msgspec

from wap.application.members.read_models import MemberSummary
from wap.domain.teams import Team


class SlotView(msgspec.Struct, frozen=True):
    category: str
    capacity: int
    filled: int


class TeamDetail(msgspec.Struct, frozen=True):
    id: int
    title: str
    genre: str
    description: str
    links: list[str]
    image_url: str | None
    leader_id: int
    leader: MemberSummary | None
    status: str
    term: str
    recruit_until: datetime | None
    slots: list[SlotView]
    like_count: int
    view_count: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, team: Team, leader: MemberSummary | None) -> TeamDetail:
        assert team.id is not None
        return cls(
            id=team.id,
            title=team.title.value,
            genre=team.genre.value,
            description=team.description.value,
            links=list(team.links.items),
            image_url=team.image_url,
            leader_id=team.leader_id,
            leader=leader,
            status=team.status.value,
            term=str(team.term),
            recruit_until=team.recruit_until,
            slots=[SlotView(s.category.value, s.capacity, s.filled) for s in team.slots.values()],
            like_count=team.like_count,
            view_count=team.view_count,
            created_at=team.created_at,
            updated_at=team.updated_at,
        )
