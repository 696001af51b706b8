"""Notices in a member's inbox, written in the same transaction as the event that causes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from wap.domain.entities import new_fields


class NoticeKind(StrEnum):
    APPLICATION_RECEIVED = "application.received"  # to the leader
    APPLICATION_ACCEPTED = "application.accepted"  # to the applicant
    APPLICATION_REJECTED = "application.rejected"
    APPLICATION_EXPIRED = "application.expired"
    MEMBER_WAITING = "member.waiting"  # to officers
    TEAM_WAITING = "team.waiting"  # to officers
    SIGNUP_APPROVED = "member.approved"  # to the member
    SIGNUP_REJECTED = "member.rejected"
    TEAM_APPROVED = "team.approved"  # to the leader
    TEAM_REJECTED = "team.rejected"
    LEADERSHIP_RECEIVED = "team.leadership_received"
    ROUND_PLACED = "round.placed"  # to the member the matching round placed
    ROUND_JOINED = "round.joined"  # to the leader whose team the round placed someone in
    ROUND_UNPLACED = "round.unplaced"  # to a member the round could not place


@dataclass(slots=True)
class NewNotice:
    """A notice to write; ``Notice`` is one read back, with its id."""

    member_id: int
    kind: NoticeKind
    created_at: datetime
    payload: dict[str, Any] = field(default_factory=dict)
    read_at: datetime | None = None

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    def stored(self, id: int) -> Notice:
        return Notice(**new_fields(self), id=id)


@dataclass(slots=True, kw_only=True)
class Notice(NewNotice):
    id: int
