from __future__ import annotations

from datetime import datetime

import msgspec

from wap.domain.members import Member


class PublicProfile(msgspec.Struct, frozen=True):
    """What anyone may see of an approved member: no e-mail, no student number."""

    id: int
    github_login: str
    avatar_url: str | None
    avatar_thumbnail_url: str | None
    name: str | None
    position: str | None
    bio: str
    tech_stack: list[str]
    links: list[str]
    role: str
    created_at: datetime

    @classmethod
    def of(cls, member: Member) -> PublicProfile:
        return cls(
            id=member.id,
            github_login=member.github_login,
            avatar_url=member.avatar_url,
            avatar_thumbnail_url=member.avatar_thumbnail_url,
            name=member.name.value if member.name else None,
            position=member.position.value if member.position else None,
            bio=member.bio.value,
            tech_stack=list(member.tech_stack.items),
            links=list(member.links.items),
            role=member.role.value,
            created_at=member.created_at,
        )


class MemberSummary(msgspec.Struct, frozen=True):
    id: int
    github_login: str
    name: str | None
    avatar_url: str | None

    @classmethod
    def of(cls, member: Member) -> MemberSummary:
        return cls(
            member.id,
            member.github_login,
            member.name.value if member.name else None,
            member.avatar_url,
        )


class OwnProfile(msgspec.Struct, frozen=True):
    """Everything about a member, for themself and for officers."""

    id: int
    github_id: int
    github_login: str
    avatar_url: str | None
    avatar_thumbnail_url: str | None
    email: str | None
    name: str | None
    student_number: str | None
    position: str | None
    bio: str
    tech_stack: list[str]
    links: list[str]
    status: str
    role: str
    notify_email: bool
    language: str
    created_at: datetime

    @classmethod
    def of(cls, member: Member) -> OwnProfile:
        return cls(
            id=member.id,
            github_id=member.github_id,
            github_login=member.github_login,
            avatar_url=member.avatar_url,
            avatar_thumbnail_url=member.avatar_thumbnail_url,
            email=member.email,
            name=member.name.value if member.name else None,
            student_number=member.student_number.value if member.student_number else None,
            position=member.position.value if member.position else None,
            bio=member.bio.value,
            tech_stack=list(member.tech_stack.items),
            links=list(member.links.items),
            status=member.status.value,
            role=member.role.value,
            notify_email=member.notify_email,
            language=member.language.value,
            created_at=member.created_at,
        )
