"""Access tokens: JWT, HS256 only, 30 minutes (joserfc)."""

from __future__ import annotations

from datetime import datetime

from joserfc import jwt
from joserfc.errors import ExpiredTokenError, JoseError
from joserfc.jwk import OctKey
from joserfc.jwt import JWTClaimsRegistry

from wap.application.auth.ports import AccessClaims, AccessTokenCodec
from wap.application.errors import TokenExpired, TokenInvalid
from wap.domain.auth import ACCESS_TOKEN_SECONDS

ALGORITHM = "HS256"
ISSUER = "wap"


class JwtAccessTokenCodec(AccessTokenCodec):
    def __init__(self, secret: str, lifetime_seconds: int = ACCESS_TOKEN_SECONDS) -> None:
        self._key = OctKey.import_key(secret)
        self._lifetime = lifetime_seconds

    def issue(self, claims: AccessClaims, now: datetime) -> str:
        issued = int(now.timestamp())
        return jwt.encode(
            {"alg": ALGORITHM},
            {
                "iss": ISSUER,
                "sub": str(claims.member_id),
                "sid": claims.session_id,
                "iat": issued,
                "exp": issued + self._lifetime,
            },
            self._key,
            algorithms=[ALGORITHM],
        )

    def read(self, token: str, now: datetime) -> AccessClaims:
        try:
            decoded = jwt.decode(token, self._key, algorithms=[ALGORITHM])
            JWTClaimsRegistry(
                now=int(now.timestamp()),
                iss={"essential": True, "value": ISSUER},
                exp={"essential": True},
                sub={"essential": True},
                sid={"essential": True},
            ).validate(decoded.claims)
        except ExpiredTokenError:
            raise TokenExpired() from None
        except (JoseError, ValueError, TypeError):
            raise TokenInvalid() from None
        claims = decoded.claims
        subject, session = claims.get("sub"), claims.get("sid")
        if not isinstance(subject, str) or not subject.isdigit() or not isinstance(session, str):
            raise TokenInvalid()
        return AccessClaims(int(subject), session)
