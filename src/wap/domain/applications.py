"""Applications: a member asks for a place in one slot of a team."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from wap.domain.catalog import DEFAULT_MESSAGE, Category, Limits
from wap.domain.entities import new_fields
from wap.domain.errors import (
    AlreadyMember,
    ApplicationNotPending,
    DuplicateApplication,
    InvalidValue,
    OwnTeam,
    SlotFull,
    TeamNotFound,
)
from wap.domain.members import Actor
from wap.domain.teams import Team, parse_category
from wap.domain.values import is_one_line, trimmed


class ApplicationStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Message:
    value: str = DEFAULT_MESSAGE

    def __post_init__(self) -> None:
        if len(self.value) > Limits.MESSAGE_MAX or not is_one_line(self.value):
            raise InvalidValue(field="message")

    @classmethod
    def of(cls, raw: str | None) -> Message:
        text = trimmed(raw or "")
        return cls(text or DEFAULT_MESSAGE)


@dataclass(frozen=True, slots=True)
class Eligible:
    """An application that passed every rule: the team, the slot it asks for, its message."""

    team: Team
    category: Category
    message: Message


def check_can_apply(
    team: Team | None,
    applicant: Actor,
    category: str,
    *,
    message: str | None = None,
    is_member: bool,
    has_pending: bool,
    now: datetime,
) -> Eligible:
    """Every rule an application must pass, in the order a person would want to hear them.

    ``team`` is ``None`` when there is no such team: to the applicant that is the same as a
    team they may not see (``team.not_found``). Who may apply comes first, so a member who
    is not approved hears that whatever the team."""
    applicant.ensure_approved()
    if team is None:
        raise TeamNotFound()
    team.ensure_visible_to(applicant)
    wanted, text = parse_category(category), Message.of(message)
    team.ensure_takes_applications(now)
    if team.leader_id == applicant.member_id:
        raise OwnTeam()
    if is_member:
        raise AlreadyMember()
    slot = team.slot(wanted)
    if has_pending:
        raise DuplicateApplication()
    if not slot.has_room:
        raise SlotFull()
    return Eligible(team, wanted, text)


@dataclass(slots=True)
class NewApplication:
    """An application and its rules, before it is stored (so without an id); ``Application`` is
    the stored one."""

    team_id: int
    member_id: int
    category: Category
    message: Message
    created_at: datetime
    status: ApplicationStatus = ApplicationStatus.PENDING
    decided_at: datetime | None = None

    @classmethod
    def submit(
        cls, *, team_id: int, member_id: int, category: Category, message: Message, now: datetime
    ) -> NewApplication:
        return NewApplication(team_id, member_id, category, message, now)

    @property
    def is_pending(self) -> bool:
        return self.status is ApplicationStatus.PENDING

    def _decide(self, status: ApplicationStatus, now: datetime) -> None:
        if not self.is_pending:
            raise ApplicationNotPending()
        self.status, self.decided_at = status, now

    def accept(self, now: datetime) -> None:
        self._decide(ApplicationStatus.ACCEPTED, now)

    def reject(self, now: datetime) -> None:
        self._decide(ApplicationStatus.REJECTED, now)

    def withdraw(self, now: datetime) -> None:
        self._decide(ApplicationStatus.WITHDRAWN, now)

    def expire(self, now: datetime) -> None:
        self._decide(ApplicationStatus.EXPIRED, now)

    def stored(self, id: int) -> Application:
        return Application(**new_fields(self), id=id)


@dataclass(slots=True, kw_only=True)
class Application(NewApplication):
    """A stored application."""

    id: int
