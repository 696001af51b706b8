"""The officers' audit log: who did which officer action to what, and when."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class AuditAction(StrEnum):
    MEMBER_APPROVED = "member.approve"
    MEMBER_REJECTED = "member.reject"
    MEMBER_EXPELLED = "member.expel"
    MEMBER_ROLE_CHANGED = "member.role"
    TEAM_APPROVED = "team.approve"
    TEAM_REJECTED = "team.reject"
    TEAM_DELETED = "team.delete"
    TEAM_COMPLETED = "team.complete"


class AuditTarget(StrEnum):
    MEMBER = "member"
    TEAM = "team"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    actor_id: int
    action: AuditAction
    target_type: AuditTarget
    target_id: int
    created_at: datetime
    detail: dict[str, Any] = field(default_factory=dict)
    id: int | None = None
