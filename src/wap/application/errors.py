"""Errors the application adds to the domain's: failures of the service around the rules.

Signing in and sessions (``auth.*``), the codes mailed at sign-up (``email.code_*``,
``email.cooldown``), rate limits (``rate.limited``) and stores that cannot be reached
(``service.unavailable``). The domain keeps the rules of the club's things
(``domain/errors.py``); the HTTP protocol's own refusals live in ``entrypoints/http/errors.py``.
"""

from __future__ import annotations

from typing import ClassVar

from wap.domain.errors import InvalidValue, WapError


# Families
class Unauthenticated(WapError):
    """The caller is not (validly) signed in."""


class TooManyRequests(WapError):
    """The caller must wait: ``retry_after`` seconds, when known (``Retry-After``)."""

    default_retry_after: ClassVar[int | None] = None

    @property
    def retry_after(self) -> int | None:
        value = self.context.get("retry_after", self.default_retry_after)
        return None if value is None else max(1, int(value))


class Unavailable(WapError):
    """A store the request needs (database, Redis, GitHub) cannot be reached right now."""

    code = "service.unavailable"


# Rate limits
class RateLimited(TooManyRequests):
    code = "rate.limited"
    default_retry_after = 60  # for a raiser that cannot tell; the limiter's own say more


# Authentication and sessions
class AuthRequired(Unauthenticated):
    code = "auth.required"


class TokenInvalid(Unauthenticated):
    code = "auth.token_invalid"


class TokenExpired(Unauthenticated):
    code = "auth.token_expired"


class RefreshInvalid(Unauthenticated):
    code = "auth.refresh_invalid"


class OAuthFailed(InvalidValue):
    code = "auth.oauth_failed"


# E-mail codes
class EmailCodeMismatch(InvalidValue):
    code = "email.code_mismatch"


class EmailCodeExpired(InvalidValue):
    code = "email.code_expired"


class EmailCooldown(TooManyRequests):
    code = "email.cooldown"
