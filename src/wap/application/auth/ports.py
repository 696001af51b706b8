from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Protocol

from wap.domain.members import GitHubIdentity


class IdentityProvider(Protocol):
    """GitHub, seen as the one thing the service needs of it: who signed in."""

    @abstractmethod
    def authorization_url(self, *, state: str, code_verifier: str, redirect_uri: str) -> str:
        """Where to send the browser: GitHub's authorize page with ``state`` and the PKCE
        S256 challenge of ``code_verifier``."""

    @abstractmethod
    async def identify(
        self, *, code: str, redirect_uri: str | None, code_verifier: str | None
    ) -> GitHubIdentity:
        """Exchange an authorization code for the person's identity.

        Raises ``OAuthFailed`` when GitHub refuses the code, ``Unavailable`` when it cannot be
        reached or answers with a server error.
        """


@dataclass(frozen=True, slots=True)
class AccessClaims:
    member_id: int
    session_id: str


class AccessTokenCodec(Protocol):
    @abstractmethod
    def issue(self, claims: AccessClaims, now: datetime) -> str: ...

    @abstractmethod
    def read(self, token: str, now: datetime) -> AccessClaims:
        """Raises ``TokenInvalid`` or ``TokenExpired``."""


class RefreshOutcome(Enum):
    FRESH = "fresh"  # first use: rotate
    REUSED = "reused"  # presented again: revoke the whole session
    UNKNOWN = "unknown"  # never issued, expired, or its session is gone


@dataclass(frozen=True, slots=True)
class RefreshUse:
    outcome: RefreshOutcome
    session_id: str | None = None
    member_id: int | None = None


class SessionStore(Protocol):
    """Login sessions and their refresh tokens (kept as digests, never in clear)."""

    @abstractmethod
    async def open(self, session_id: str, member_id: int, ttl_seconds: int) -> None: ...

    @abstractmethod
    async def member_of(self, session_id: str) -> int | None:
        """The member an open session belongs to; ``None`` once closed or expired."""

    @abstractmethod
    async def close(self, session_id: str) -> None:
        """Revoke the session: its refresh tokens stop working, its access tokens too."""

    @abstractmethod
    async def add_refresh(self, digest: str, session_id: str, ttl_seconds: int) -> None: ...

    @abstractmethod
    async def session_of_refresh(self, digest: str) -> str | None:
        """The session a refresh token was issued to, without using it (None if unknown).
        Refreshes are rate-limited per session, and a refused one must not spend the token."""

    @abstractmethod
    async def use_refresh(self, digest: str) -> RefreshUse:
        """Use a refresh token once, atomically: of two concurrent uses only one is FRESH."""


class CodeCheck(Enum):
    OK = "ok"
    MISMATCH = "mismatch"
    EXPIRED = "expired"


class EmailCodeStore(Protocol):
    @abstractmethod
    async def start_cooldown(self, member_id: int, seconds: int) -> bool:
        """Start the resend cooldown; ``False`` if one is already running."""

    @abstractmethod
    async def put(self, member_id: int, email: str, digest: str, ttl_seconds: int) -> None:
        """Keep the code for this member (replacing any earlier one) with no wrong tries yet."""

    @abstractmethod
    async def check(self, member_id: int, email: str, digest: str, max_tries: int) -> CodeCheck:
        """OK consumes the code. A wrong code or address counts a try; the ``max_tries``-th
        wrong try burns the code, so the next check is EXPIRED."""


@dataclass(frozen=True, slots=True)
class Admission:
    """The answer to one hit: admitted, or refused with the wait until the key has room."""

    allowed: bool
    retry_after: int = 0  # whole seconds until one more hit would be admitted (≥ 1 if refused)

    def __bool__(self) -> bool:
        # ``if not await limiter.hit(...)`` keeps meaning "refused".
        return self.allowed


class RateLimiter(Protocol):
    """Counts hits per key in a moving window; kept in Redis when configured, so that the
    limit holds across processes."""

    @abstractmethod
    async def hit(self, key: str, limit: int, per_seconds: int) -> Admission:
        """Count one hit unless the key already had ``limit`` admitted hits in the last
        ``per_seconds``; a refused hit is not counted."""
