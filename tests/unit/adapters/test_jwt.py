from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest

from tests.builders import NOW
from wap.adapters.security.jwt import JwtAccessTokenCodec
from wap.application.auth.ports import AccessClaims
from wap.application.errors import TokenExpired, TokenInvalid

KEY = "k" * 48


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_token_round_trips_within_thirty_minutes() -> None:
    codec = JwtAccessTokenCodec(KEY)
    token = codec.issue(AccessClaims(7, "session-1"), NOW)
    assert codec.read(token, NOW + timedelta(minutes=29)) == AccessClaims(7, "session-1")
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header["alg"] == "HS256"


def test_a_token_expires_after_thirty_minutes() -> None:
    codec = JwtAccessTokenCodec(KEY)
    token = codec.issue(AccessClaims(7, "s"), NOW)
    with pytest.raises(TokenExpired):
        codec.read(token, NOW + timedelta(minutes=30, seconds=1))


def test_a_token_signed_with_another_key_is_invalid() -> None:
    token = JwtAccessTokenCodec("o" * 48).issue(AccessClaims(7, "s"), NOW)
    with pytest.raises(TokenInvalid):
        JwtAccessTokenCodec(KEY).read(token, NOW)


def test_alg_none_is_refused() -> None:
    claims = {"iss": "wap", "sub": "7", "sid": "s", "exp": int(NOW.timestamp()) + 60}
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    with pytest.raises(TokenInvalid):
        JwtAccessTokenCodec(KEY).read(unsigned, NOW)


def test_a_tampered_payload_is_invalid() -> None:
    codec = JwtAccessTokenCodec(KEY)
    header, _, signature = codec.issue(AccessClaims(7, "s"), NOW).split(".")
    forged = {"iss": "wap", "sub": "1", "sid": "s", "exp": int(NOW.timestamp()) + 60}
    with pytest.raises(TokenInvalid):
        codec.read(f"{header}.{_b64(forged)}.{signature}", NOW)


@pytest.mark.parametrize("garbage", ["", "a.b.c", "not a token", "x" * 5000, "..", "🙂.🙂.🙂"])
def test_garbage_is_invalid(garbage: str) -> None:
    with pytest.raises(TokenInvalid):
        JwtAccessTokenCodec(KEY).read(garbage, NOW)
