"""Refusals of the HTTP protocol itself: a browser request that may be forged, and an OAuth
redirect that does not come back as it left. No use case raises them."""

from __future__ import annotations

from wap.domain.errors import Forbidden, InvalidValue


class CsrfFailed(Forbidden):
    code = "auth.csrf_failed"


class StateMismatch(InvalidValue):
    code = "auth.state_mismatch"
