from __future__ import annotations

from dataclasses import dataclass

from wap.application.members.caller import load_caller
from wap.application.members.ports import MemberRepository
from wap.application.members.read_models import OwnProfile
from wap.application.patch import UNSET, Unset, given
from wap.application.ports import UnitOfWork
from wap.domain.errors import InvalidValue, check_fields
from wap.domain.members import Actor, Bio, Language, TechStack, parse_position
from wap.domain.values import Links


def parse_language(raw: str) -> Language:
    try:
        return Language(raw)
    except ValueError:
        raise InvalidValue(field="language") from None


@dataclass(frozen=True, slots=True)
class ProfileEdit:
    actor: Actor
    bio: str | Unset = UNSET
    position: str | Unset = UNSET
    tech_stack: tuple[str, ...] | Unset = UNSET
    links: tuple[str, ...] | Unset = UNSET
    notify_email: bool | Unset = UNSET
    language: str | Unset = UNSET


class UpdateProfile:
    def __init__(self, members: MemberRepository, uow: UnitOfWork) -> None:
        self._members, self._uow = members, uow

    async def __call__(self, edit: ProfileEdit) -> OwnProfile:
        member = await load_caller(self._members, edit.actor.member_id, lock=True)
        bio, position, tech_stack, links, language = check_fields(
            ("bio", lambda: given(edit.bio, Bio)),
            ("position", lambda: given(edit.position, parse_position)),
            ("tech_stack", lambda: given(edit.tech_stack, TechStack.of)),
            ("links", lambda: given(edit.links, Links.of)),
            ("language", lambda: given(edit.language, parse_language)),
        )
        member.update_profile(
            bio=bio,
            position=position,
            tech_stack=tech_stack,
            links=links,
            notify_email=None if isinstance(edit.notify_email, Unset) else edit.notify_email,
            language=language,
        )
        await self._members.save(member)
        await self._uow.commit()
        return OwnProfile.of(member)
