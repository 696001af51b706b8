"""Every ``rate.limited`` answer says when to come back (``Retry-After``, whole seconds)."""

from __future__ import annotations

from litestar import Request
from litestar.exceptions import HTTPException

from wap.application.errors import EmailCooldown, RateLimited
from wap.entrypoints.http.problems import handle_http_exception, handle_wap_error


def request() -> Request:  # type: ignore[type-arg]
    return Request({"type": "http", "headers": [], "path": "/api/v1/auth/refresh"})  # type: ignore[arg-type]


def test_a_refusal_carries_the_limiters_wait_rounded_to_at_least_a_second() -> None:
    answer = handle_wap_error(request(), RateLimited(retry_after=42))
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "42"
    assert handle_wap_error(request(), RateLimited(retry_after=0)).headers["Retry-After"] == "1"


def test_a_refusal_without_a_known_wait_still_says_one() -> None:
    assert handle_wap_error(request(), RateLimited()).headers["Retry-After"] == "60"
    answer = handle_http_exception(request(), HTTPException(status_code=429))
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "60"


def test_other_problems_carry_no_retry_after() -> None:
    assert "Retry-After" not in handle_wap_error(request(), EmailCooldown()).headers
