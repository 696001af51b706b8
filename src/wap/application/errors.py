"""Errors the application adds to the domain's: failures of the world around it."""

from __future__ import annotations

from wap.domain.errors import WapError


class Unavailable(WapError):
    """A store the request needs (database, Redis, GitHub) cannot be reached right now."""

    code = "service.unavailable"
