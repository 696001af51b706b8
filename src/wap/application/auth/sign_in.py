from __future__ import annotations

from dataclasses import dataclass

import msgspec

from wap.application.auth.ports import IdentityProvider
from wap.application.auth.sessions import SessionIssuer
from wap.application.members.ports import MemberRepository
from wap.application.members.read_models import OwnProfile
from wap.application.ports import Clock, UnitOfWork
from wap.domain.members import NewMember


@dataclass(frozen=True, slots=True)
class SignInCommand:
    code: str
    redirect_uri: str | None = None
    code_verifier: str | None = None


class SignInResult(msgspec.Struct, frozen=True):
    access_token: str
    refresh_token: str
    session_id: str
    member: OwnProfile
    registered: bool


class SignInWithGitHub:
    """First sign-in creates a member who has not finished sign-up; later ones refresh the
    GitHub login and avatar. Either way a new login session starts."""

    def __init__(
        self,
        github: IdentityProvider,
        members: MemberRepository,
        uow: UnitOfWork,
        issuer: SessionIssuer,
        clock: Clock,
    ) -> None:
        self._github = github
        self._members = members
        self._uow = uow
        self._issuer = issuer
        self._clock = clock

    async def __call__(self, command: SignInCommand) -> SignInResult:
        identity = await self._github.identify(
            code=command.code,
            redirect_uri=command.redirect_uri,
            code_verifier=command.code_verifier,
        )
        member, created = await self._members.get_or_add(
            NewMember.signed_in(identity, self._clock.now())
        )
        if not created:
            locked = await self._members.get_for_update(member.id)
            member = locked if locked is not None else member
            member.refresh_identity(identity)
            await self._members.save(member)
        await self._uow.commit()
        pair = await self._issuer.start(member.id)
        return SignInResult(
            access_token=pair.access_token,
            refresh_token=pair.refresh_token,
            session_id=pair.session_id,
            member=OwnProfile.of(member),
            registered=member.has_signed_up,
        )
