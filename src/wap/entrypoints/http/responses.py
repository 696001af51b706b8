"""OpenAPI declarations of the problems a route can answer with.

A route group's list names what the caller's credentials (``identity.py``) and the group's
own guard can answer on every route of the group; a route adds the codes of what it does.
``tests/unit/test_openapi_errors.py`` checks each route against what its handler reads.
"""

from __future__ import annotations

from collections import defaultdict

from litestar.openapi import ResponseSpec

from wap.entrypoints.http.problems import PROBLEMS, ProblemBody

# A route that reads the caller: a token that is malformed or revoked, or one that expired.
CREDENTIALS = ("auth.token_invalid", "auth.token_expired")
# A route for signed-in callers only; a cookie on an unsafe method also needs its CSRF token.
SIGNED_IN = ("auth.required", *CREDENTIALS, "auth.csrf_failed")
# Approved members only (the use case applies the domain's rule).
APPROVED = (*SIGNED_IN, "member.not_approved")
# The officer console.
OFFICER = (*SIGNED_IN, "permission.officer_only")
# A team's leader (or an officer) acting on the team.
LEADER = (*SIGNED_IN, "team.not_found", "permission.leader_only")


def errors(*codes: str) -> dict[int, ResponseSpec]:
    """One response per status, listing the codes it may carry; always ``request.invalid``."""
    by_status: dict[int, list[str]] = defaultdict(list)
    for code in ("request.invalid", *codes):
        by_status[PROBLEMS[code].status].append(code)
    return {
        status: ResponseSpec(
            data_container=ProblemBody,
            description="Problem: " + ", ".join(f"`{c}`" for c in sorted(set(found))),
            media_type="application/problem+json",
        )
        for status, found in by_status.items()
    }
