"""Issuing, rotating and revoking login sessions."""

from __future__ import annotations

import hashlib
import secrets

import msgspec

from wap.application.auth.limits import AuthLimits
from wap.application.auth.ports import (
    AccessClaims,
    AccessTokenCodec,
    RefreshOutcome,
    SessionStore,
)
from wap.application.errors import AuthRequired, RefreshInvalid, TokenInvalid
from wap.application.members.caller import load_caller
from wap.application.members.ports import MemberRepository
from wap.application.ports import Clock
from wap.domain.auth import REFRESH_TOKEN_SECONDS
from wap.domain.members import Actor


class TokenPair(msgspec.Struct, frozen=True):
    access_token: str
    refresh_token: str
    session_id: str


def digest(secret: str) -> str:
    """Refresh tokens are 256 random bits, so a plain SHA-256 is a safe way to keep them."""
    return hashlib.sha256(secret.encode()).hexdigest()


class SessionIssuer:
    """Opens a login session and hands out token pairs for it."""

    def __init__(self, tokens: AccessTokenCodec, sessions: SessionStore, clock: Clock) -> None:
        self._tokens = tokens
        self._sessions = sessions
        self._clock = clock

    async def pair(self, member_id: int, session_id: str) -> TokenPair:
        refresh = secrets.token_urlsafe(32)
        await self._sessions.add_refresh(digest(refresh), session_id, REFRESH_TOKEN_SECONDS)
        access = self._tokens.issue(AccessClaims(member_id, session_id), self._clock.now())
        return TokenPair(access, refresh, session_id)

    async def start(self, member_id: int) -> TokenPair:
        session_id = secrets.token_urlsafe(16)
        await self._sessions.open(session_id, member_id, REFRESH_TOKEN_SECONDS)
        return await self.pair(member_id, session_id)


class Authenticate:
    """An access token → who is asking, as the database says now (role, status, existence)."""

    def __init__(
        self,
        tokens: AccessTokenCodec,
        sessions: SessionStore,
        members: MemberRepository,
        clock: Clock,
    ) -> None:
        self._tokens = tokens
        self._sessions = sessions
        self._members = members
        self._clock = clock

    async def __call__(self, token: str) -> tuple[Actor, str]:
        claims = self._tokens.read(token, self._clock.now())
        # The session must be open and belong to the token's member: a token outlives
        # neither a logout nor its member.
        if await self._sessions.member_of(claims.session_id) != claims.member_id:
            raise TokenInvalid()
        member = await load_caller(self._members, claims.member_id)
        return member.actor, claims.session_id


class RefreshSession:
    """Trade a refresh token for a new pair. Each token works once; using one again revokes
    the whole session, since one of its two holders must be a thief."""

    def __init__(
        self,
        issuer: SessionIssuer,
        sessions: SessionStore,
        members: MemberRepository,
        limits: AuthLimits,
    ) -> None:
        self._issuer = issuer
        self._sessions = sessions
        self._members = members
        self._limits = limits

    async def __call__(self, refresh_token: str, address: str) -> TokenPair:
        """``address`` is the client's: a token the store does not know spends that
        address's sign-in budget, so guessing tokens costs what guessing codes costs."""
        token = digest(refresh_token)
        # Limited per session, checked before the token is used: a refused refresh keeps it.
        session_id = await self._sessions.session_of_refresh(token)
        if session_id is None:
            await self._limits.address(address)
        else:
            await self._limits.session("refresh", session_id)
        used = await self._sessions.use_refresh(token)
        if used.outcome is RefreshOutcome.REUSED and used.session_id:
            await self._sessions.close(used.session_id)
            raise RefreshInvalid()
        if used.outcome is not RefreshOutcome.FRESH or not used.session_id or not used.member_id:
            raise RefreshInvalid()
        try:
            await load_caller(self._members, used.member_id)
        except TokenInvalid:  # the member is gone: so is the session
            await self._sessions.close(used.session_id)
            raise RefreshInvalid() from None
        # A session in use slides: it lives 7 days from its last refresh, not its sign-in.
        await self._sessions.open(used.session_id, used.member_id, REFRESH_TOKEN_SECONDS)
        return await self._issuer.pair(used.member_id, used.session_id)


class Logout:
    """Close a login session, named by a valid access token or by its refresh token (a browser
    whose 30-minute access cookie has lapsed can still log out)."""

    def __init__(self, sessions: SessionStore, limits: AuthLimits) -> None:
        self._sessions = sessions
        self._limits = limits

    async def __call__(self, session_id: str | None, refresh_token: str | None = None) -> None:
        if session_id is None and refresh_token is not None:
            session_id = (await self._sessions.use_refresh(digest(refresh_token))).session_id
        if session_id is None:
            raise AuthRequired()
        await self._limits.session("logout", session_id)
        await self._sessions.close(session_id)
