"""The officers' audit log: who did which officer action to what, and when."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from wap.domain.entities import new_fields
from wap.domain.members import Member
from wap.domain.teams import Team


class AuditAction(StrEnum):
    MEMBER_APPROVED = "member.approve"
    MEMBER_REJECTED = "member.reject"
    MEMBER_EXPELLED = "member.expel"
    MEMBER_ROLE_CHANGED = "member.role"
    TEAM_APPROVED = "team.approve"
    TEAM_REJECTED = "team.reject"
    TEAM_DELETED = "team.delete"
    TEAM_COMPLETED = "team.complete"
    ROUND_OPENED = "round.open"
    ROUND_RUN = "round.run"
    ROUND_ADJUSTED = "round.adjust"
    ROUND_PUBLISHED = "round.publish"


class AuditTarget(StrEnum):
    MEMBER = "member"
    TEAM = "team"
    ROUND = "round"


@dataclass(frozen=True, slots=True)
class NewAuditEntry:
    """An entry to write; ``AuditEntry`` is one read back, with its id."""

    actor_id: int
    action: AuditAction
    target_type: AuditTarget
    target_id: int
    created_at: datetime
    detail: dict[str, Any] = field(default_factory=dict)

    def stored(self, id: int) -> AuditEntry:
        return AuditEntry(**new_fields(self), id=id)


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEntry(NewAuditEntry):
    id: int


def officer_action(
    actor_id: int, action: AuditAction, target: Member | Team, now: datetime, **extra: Any
) -> NewAuditEntry:
    """The one way an officer's action becomes an audit entry: the member or team it was done
    to, described as it stood (a deleted one keeps its name in the log), and ``extra`` details
    such as a role's before and after."""
    if isinstance(target, Team):
        kind = AuditTarget.TEAM
        detail: dict[str, Any] = {"title": target.title.value, "leader_id": target.leader_id}
    else:
        kind = AuditTarget.MEMBER
        name = target.name.value if target.name else None
        detail = {"name": name, "github_login": target.github_login}
    return NewAuditEntry(
        actor_id=actor_id,
        action=action,
        target_type=kind,
        target_id=target.id,
        created_at=now,
        detail={**detail, **extra},
    )
