"""OpenAPI declarations of the problems a route can answer with."""

from __future__ import annotations

from collections import defaultdict

from litestar.openapi import ResponseSpec

from wap.entrypoints.http.problems import PROBLEMS, ProblemBody


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
