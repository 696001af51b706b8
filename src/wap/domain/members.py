"""Members of the club: who they are, how far their sign-up has come, and what they may do."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from wap.domain.catalog import DEFAULT_BIO, Limits, Position
from wap.domain.entities import new_fields
from wap.domain.errors import (
    InvalidValue,
    LastOfficer,
    MemberNotApproved,
    MemberNotFound,
    MemberNotPending,
    MemberNotRegistering,
    NameInvalid,
    OfficerOnly,
    PositionInvalid,
    StudentNumberInvalid,
    WapError,
)
from wap.domain.values import Links, is_clean_text, is_one_line, trimmed


class MemberStatus(StrEnum):
    REGISTERING = "registering"
    PENDING = "pending"
    APPROVED = "approved"

    def require(self, wanted: MemberStatus) -> None:
        """The one statement of the sign-up rules: a step that needs ``wanted`` refuses any
        other status with that status's code (registering: ``member.not_registering``,
        pending: ``member.not_pending``, approved: ``member.not_approved``)."""
        if self is not wanted:
            raise _REFUSED[wanted]()


_REFUSED: dict[MemberStatus, type[WapError]] = {
    MemberStatus.REGISTERING: MemberNotRegistering,
    MemberStatus.PENDING: MemberNotPending,
    MemberStatus.APPROVED: MemberNotApproved,
}


class Role(StrEnum):
    MEMBER = "member"
    OFFICER = "officer"


class Language(StrEnum):
    KO = "ko"
    EN = "en"


# Hangul syllables, or Latin letters; 2–12 of them, nothing else.
_NAME = re.compile(rf"[A-Za-z\uAC00-\uD7A3]{{{Limits.NAME_MIN},{Limits.NAME_MAX}}}")
_STUDENT_NUMBER = re.compile(rf"[0-9]{{{Limits.STUDENT_NUMBER_MIN},{Limits.STUDENT_NUMBER_MAX}}}")


@dataclass(frozen=True, slots=True)
class Name:
    value: str

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.value):
            raise NameInvalid(field="name")

    @classmethod
    def of(cls, raw: str) -> Name:
        # Hangul typed on some systems arrives decomposed into jamo; compose it first.
        return cls(unicodedata.normalize("NFC", trimmed(raw)))


@dataclass(frozen=True, slots=True)
class StudentNumber:
    value: str

    def __post_init__(self) -> None:
        if not _STUDENT_NUMBER.fullmatch(self.value):
            raise StudentNumberInvalid(field="student_number")

    @classmethod
    def of(cls, raw: str) -> StudentNumber:
        return cls(raw.strip())


def parse_position(raw: str) -> Position:
    try:
        return Position(trimmed(raw))
    except ValueError:
        raise PositionInvalid(field="position") from None


@dataclass(frozen=True, slots=True)
class Bio:
    value: str = DEFAULT_BIO

    def __post_init__(self) -> None:
        if len(self.value) > Limits.BIO_MAX or not is_clean_text(self.value):
            raise InvalidValue(field="bio")


@dataclass(frozen=True, slots=True)
class TechStack:
    """At most 30 items of 1–30 characters; repeats are dropped, first spelling kept."""

    items: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if len(self.items) > Limits.TECH_STACK_MAX_ITEMS or not all(
            1 <= len(item) <= Limits.TECH_STACK_ITEM_MAX and is_one_line(item)
            for item in self.items
        ):
            raise InvalidValue(field="tech_stack")

    @classmethod
    def of(cls, raw: list[str] | tuple[str, ...]) -> TechStack:
        seen: dict[str, str] = {}
        for item in raw:
            seen.setdefault(trimmed(item).casefold(), trimmed(item))
        return cls(tuple(seen.values()))


@dataclass(frozen=True, slots=True)
class GitHubIdentity:
    github_id: int
    login: str
    name: str | None = None
    avatar_url: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is asking. ``None`` stands for an anonymous caller wherever an actor is optional."""

    member_id: int
    role: Role
    status: MemberStatus

    @property
    def is_officer(self) -> bool:
        return self.role is Role.OFFICER and self.status is MemberStatus.APPROVED

    @property
    def is_approved(self) -> bool:
        return self.status is MemberStatus.APPROVED

    def ensure_approved(self) -> None:
        self.status.require(MemberStatus.APPROVED)

    def ensure_registering(self) -> None:
        """Asking for an e-mail code and registering: only before sign-up is finished."""
        self.status.require(MemberStatus.REGISTERING)

    def ensure_officer(self) -> None:
        if not self.is_officer:
            raise OfficerOnly()


@dataclass(slots=True)
class NewMember:
    """A person and the rules of their membership, before they are stored (so without an id);
    ``Member`` is the stored one."""

    github_id: int
    github_login: str
    created_at: datetime
    avatar_url: str | None = None
    avatar_thumbnail_url: str | None = None
    email: str | None = None
    name: Name | None = None
    student_number: StudentNumber | None = None
    position: Position | None = None
    bio: Bio = field(default_factory=Bio)
    tech_stack: TechStack = field(default_factory=TechStack)
    links: Links = field(default_factory=Links)
    status: MemberStatus = MemberStatus.REGISTERING
    role: Role = Role.MEMBER
    notify_email: bool = True
    language: Language = Language.KO

    @classmethod
    def signed_in(cls, identity: GitHubIdentity, now: datetime) -> NewMember:
        """A person's first sign-in with GitHub: a member who has not finished sign-up."""
        return NewMember(
            github_id=identity.github_id,
            github_login=identity.login,
            avatar_url=identity.avatar_url,
            created_at=now,
        )

    @property
    def is_approved(self) -> bool:
        return self.status is MemberStatus.APPROVED

    @property
    def is_officer(self) -> bool:
        return self.role is Role.OFFICER

    @property
    def has_signed_up(self) -> bool:
        """Past the registration form: pending or approved (a registering person is no member
        yet, and no officer's or operator's action names them)."""
        return self.status is not MemberStatus.REGISTERING

    def refresh_identity(self, identity: GitHubIdentity) -> None:
        self.github_login = identity.login
        if identity.avatar_url:
            self.avatar_url = identity.avatar_url

    def register(
        self,
        *,
        name: Name,
        student_number: StudentNumber,
        position: Position,
        email: str,
        as_officer: bool,
    ) -> None:
        """Finish sign-up: wait for an officer, or become an approved officer at once."""
        self.status.require(MemberStatus.REGISTERING)
        self.name, self.student_number, self.position = name, student_number, position
        self.email = email
        if as_officer:
            self.status, self.role = MemberStatus.APPROVED, Role.OFFICER
        else:
            self.status = MemberStatus.PENDING

    def approve(self) -> None:
        self.ensure_pending()
        self.status = MemberStatus.APPROVED

    def ensure_pending(self) -> None:
        """Only a pending sign-up can be approved or rejected (which deletes it)."""
        self.status.require(MemberStatus.PENDING)

    def ensure_expellable(self, officers_left: int) -> None:
        """Only approved members are expelled (a pending sign-up is rejected instead), and
        never the last officer. ``officers_left`` counts approved officers, this one included."""
        self.status.require(MemberStatus.APPROVED)
        ensure_not_last_officer(self, officers_left)

    def make_officer(self) -> None:
        """The operator's promotion (``wap member promote``): a pending sign-up is approved
        at the same time."""
        if self.status is MemberStatus.PENDING:
            self.approve()
        self.status.require(MemberStatus.APPROVED)
        self.role = Role.OFFICER

    def change_role(self, role: Role, officers_left: int) -> None:
        """Promote or demote. ``officers_left`` counts approved officers, this one included."""
        self.status.require(MemberStatus.APPROVED)
        if self.role is Role.OFFICER and role is Role.MEMBER:
            ensure_not_last_officer(self, officers_left)
        self.role = role

    def update_profile(
        self,
        *,
        bio: Bio | None = None,
        position: Position | None = None,
        tech_stack: TechStack | None = None,
        links: Links | None = None,
        notify_email: bool | None = None,
        language: Language | None = None,
    ) -> None:
        self.status.require(MemberStatus.APPROVED)
        changes = {
            "bio": bio,
            "position": position,
            "tech_stack": tech_stack,
            "links": links,
            "notify_email": notify_email,
            "language": language,
        }
        for name, value in changes.items():
            if value is not None:
                setattr(self, name, value)

    def stored(self, id: int) -> Member:
        return Member(**new_fields(self), id=id)


@dataclass(slots=True, kw_only=True)
class Member(NewMember):
    """A stored member: one who can act and be seen."""

    id: int

    @property
    def actor(self) -> Actor:
        return Actor(self.id, self.role, self.status)

    # Who may see them
    def is_visible_to(self, actor: Actor | None) -> bool:
        """Everyone sees an approved member; anyone else only themself and officers (SPEC §2),
        so that a pending sign-up does not leak."""
        if self.is_approved:
            return True
        return actor is not None and (actor.member_id == self.id or actor.is_officer)

    def ensure_visible_to(self, actor: Actor | None) -> None:
        if not self.is_visible_to(actor):
            raise MemberNotFound()


def ensure_not_last_officer(member: NewMember, officers_left: int) -> None:
    """The club always keeps one officer: the last one can be neither demoted nor expelled."""
    if member.is_officer and member.is_approved and officers_left <= 1:
        raise LastOfficer()
