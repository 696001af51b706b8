"""What the team pages and lists show. Built by the use cases or straight from the reader."""

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
    image_thumbnail_url: str | None
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
    liked: bool = False

    @classmethod
    def of(cls, team: Team, leader: MemberSummary | None, liked: bool = False) -> TeamDetail:
        return cls(
            id=team.id,
            title=team.title.value,
            genre=team.genre.value,
            description=team.description.value,
            links=list(team.links.items),
            image_url=team.image_url,
            image_thumbnail_url=team.image_thumbnail_url,
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
            liked=liked,
        )


class TeamSummary(msgspec.Struct, frozen=True):
    """A card on the team board."""

    id: int
    title: str
    genre: str
    status: str
    term: str
    image_thumbnail_url: str | None
    leader: MemberSummary
    slots: list[SlotView]
    like_count: int
    view_count: int
    recruit_until: datetime | None
    created_at: datetime
    liked: bool = False


class TeamPage(msgspec.Struct, frozen=True):
    items: list[TeamSummary]
    next_cursor: str | None


class TeamMemberView(msgspec.Struct, frozen=True):
    member: MemberSummary
    role: str
    category: str | None
    joined_at: datetime


class TeamBrief(msgspec.Struct, frozen=True):
    id: int
    title: str
    status: str
    genre: str


class ApplicationView(msgspec.Struct, frozen=True):
    """An application as the team's leader sees it."""

    id: int
    team_id: int
    applicant: MemberSummary
    category: str
    message: str
    status: str
    created_at: datetime
    decided_at: datetime | None


class MyApplicationView(msgspec.Struct, frozen=True):
    """An application as its applicant sees it."""

    id: int
    team: TeamBrief
    category: str
    message: str
    status: str
    created_at: datetime
    decided_at: datetime | None


class AdminTeamView(msgspec.Struct, frozen=True):
    id: int
    title: str
    genre: str
    status: str
    term: str
    leader: MemberSummary
    created_at: datetime


class AdminTeamPage(msgspec.Struct, frozen=True):
    items: list[AdminTeamView]
    total: int
    page: int
    page_size: int


class LikeState(msgspec.Struct, frozen=True):
    liked: bool
    like_count: int
