"""Domain errors: the rules of the club's members, teams, applications and values. Each
carries a stable dotted ``code`` from SPEC §2 and no HTTP status.

Every concrete error is one class with one code; the HTTP layer owns the table that maps a
code to a status and to the Korean and English text (``entrypoints/http/problems.py``).
Failures of the service around the domain (signing in, sessions, e-mail codes, rate limits,
stores that are away) are the application's (``application/errors.py``); those of the HTTP
protocol (CSRF, the OAuth redirect's state) the entrypoint's (``entrypoints/http/errors.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeAlias, TypeVar, overload


@dataclass(frozen=True, slots=True)
class FieldProblem:
    field: str
    code: str


class WapError(Exception):
    """Base of every error the service reports to a client with a stable code."""

    code: ClassVar[str] = ""

    def __init__(self, field: str | None = None, **context: Any) -> None:
        super().__init__(self.code)
        self.field = field
        self.context = context
        self.problems: tuple[FieldProblem, ...] = (
            (FieldProblem(field, self.code),) if field is not None else ()
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(field={self.field!r}, context={self.context!r})"


# Families. They say what kind of failure it is, not how a transport shows it.
class InvalidValue(WapError):
    """A value breaks a rule of SPEC §1. A rule without a code of its own reports the SPEC's
    generic ``request.invalid``; the rules that have one subclass this."""

    code = "request.invalid"


class TooLarge(InvalidValue):
    """A value is larger than the service accepts (413 rather than 400)."""


class NotFound(WapError):
    """The thing does not exist, or the caller may not know that it exists."""


class Conflict(WapError):
    """The request clashes with the current state."""


class Forbidden(WapError):
    """The caller is known but may not do this."""


# Members
class MemberNotFound(NotFound):
    code = "member.not_found"


class MemberNotApproved(Forbidden):
    code = "member.not_approved"


class MemberNotRegistering(Conflict):
    code = "member.not_registering"


class MemberNotPending(Conflict):
    code = "member.not_pending"


class NameInvalid(InvalidValue):
    code = "member.name_invalid"


class StudentNumberInvalid(InvalidValue):
    code = "member.student_number_invalid"


class StudentNumberTaken(Conflict):
    code = "member.student_number_taken"


class PositionInvalid(InvalidValue):
    code = "member.position_invalid"


class LastOfficer(Conflict):
    code = "member.last_officer"


# Permissions
class OfficerOnly(Forbidden):
    code = "permission.officer_only"


class LeaderOnly(Forbidden):
    code = "permission.leader_only"


class OwnerOnly(Forbidden):
    code = "permission.owner_only"


# Teams
class TeamNotFound(NotFound):
    code = "team.not_found"


class TitleInvalid(InvalidValue):
    code = "team.title_invalid"


class TitleTaken(Conflict):
    code = "team.title_taken"


class GenreInvalid(InvalidValue):
    code = "team.genre_invalid"


class DescriptionInvalid(InvalidValue):
    code = "team.description_invalid"


class CategoryInvalid(InvalidValue):
    code = "team.category_invalid"


class CapacityInvalid(InvalidValue):
    code = "team.capacity_invalid"


class SlotInUse(Conflict):
    code = "team.slot_in_use"


class CapacityBelowFilled(Conflict):
    code = "team.capacity_below_filled"


class TeamNotPending(Conflict):
    """Beyond SPEC §2: a batch skip when an officer decides on a team already decided."""

    code = "team.not_pending"


class TeamNotRecruiting(Conflict):
    code = "team.not_recruiting"


class RecruitmentClosed(Conflict):
    code = "team.recruitment_closed"


class LeaderCannotLeave(Conflict):
    code = "team.leader_cannot_leave"


class NotTeamMember(NotFound):
    code = "team.not_member"


# Applications
class ApplicationNotFound(NotFound):
    code = "application.not_found"


class SlotFull(Conflict):
    code = "application.slot_full"


class DuplicateApplication(Conflict):
    code = "application.duplicate"


class AlreadyMember(Conflict):
    code = "application.already_member"


class OwnTeam(Conflict):
    code = "application.own_team"


class ApplicationNotPending(Conflict):
    code = "application.not_pending"


# E-mail addresses


class EmailDomainNotAllowed(InvalidValue):
    code = "email.domain_not_allowed"


# Images
class ImageInvalid(InvalidValue):
    code = "image.invalid"


class ImageTooLarge(TooLarge):
    code = "image.too_large"


T = TypeVar("T")
A = TypeVar("A")
B = TypeVar("B")
C = TypeVar("C")
D = TypeVar("D")
E = TypeVar("E")
# One named check: the field it reports on, and a thunk that gives its value or raises.
Check: TypeAlias = tuple[str, Callable[[], T]]


@overload
def check_fields(a: Check[A], /) -> tuple[A]: ...
@overload
def check_fields(a: Check[A], b: Check[B], /) -> tuple[A, B]: ...
@overload
def check_fields(a: Check[A], b: Check[B], c: Check[C], /) -> tuple[A, B, C]: ...
@overload
def check_fields(a: Check[A], b: Check[B], c: Check[C], d: Check[D], /) -> tuple[A, B, C, D]: ...
@overload
def check_fields(
    a: Check[A], b: Check[B], c: Check[C], d: Check[D], e: Check[E], /
) -> tuple[A, B, C, D, E]: ...
def check_fields(*checks: Check[object]) -> tuple[object, ...]:
    """Run every named check and report all field problems at once.

    Each check is ``(field, thunk)``; the answer is the thunks' values in order, each with its
    own type (the overloads, like ``asyncio.gather``'s, keep them apart). When one or more
    thunks raise an ``InvalidValue``, the first error is raised carrying the problems of all
    of them, so a form shows every bad field in one answer instead of one per round trip.
    """
    results: list[object] = []
    failures: list[WapError] = []
    for field, check in checks:
        try:
            results.append(check())
        except InvalidValue as error:
            if error.field is None:
                error.field = field
                error.problems = (FieldProblem(field, error.code),)
            failures.append(error)
    if failures:
        first = failures[0]
        first.problems = tuple(p for failure in failures for p in failure.problems)
        raise first
    return tuple(results)


# Matching rounds (beyond SPEC §2, issue 18; docs/api.md lists them)
class RoundNotFound(NotFound):
    code = "round.not_found"


class RoundAlreadyOpen(Conflict):
    """A term has at most one round that is not yet published."""

    code = "round.already_open"


class RoundClosed(Conflict):
    """Past the deadline (or run by an officer): preferences and opt-ins no longer change."""

    code = "round.closed"


class RoundStillOpen(Conflict):
    """The assignment is previewed and published only once the round is closed."""

    code = "round.still_open"


class RoundPublished(Conflict):
    code = "round.published"


class RoundNotEligible(Forbidden):
    """Only approved members in no team of the round's term take part."""

    code = "round.not_eligible"


class RoundTeamNotIn(Conflict):
    """The team has not opted in to the round (or is not recruiting)."""

    code = "round.team_not_in"


class ChoiceInvalid(InvalidValue):
    """A choice names no open slot of the round, or names one twice."""

    code = "round.choice_invalid"


class TooManyChoices(InvalidValue):
    code = "round.too_many_choices"


class PinInvalid(InvalidValue):
    """A pin or removal names a member or slot that is not part of the round."""

    code = "round.pin_invalid"
