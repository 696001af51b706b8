"""Errors in the browser: a page in the site's layout, not problem JSON.

A request for a web page that a browser sent (its ``Accept`` ranks ``text/html`` above JSON)
gets ``error.html`` with the problem's status, text and headers. Everything else keeps the
problem JSON of ``http/problems.py``, the one place that turns an error into an answer: the
API, the schema, files under ``/static`` and ``/media``, ``/metrics`` and the probes, and any
client that asks for JSON or for anything (``*/*``, as curl and httpx do)."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.response import Template

NOT_PAGES = ("/api", "/schema", "/static", "/media", "/metrics", "/healthz", "/readyz")
OFFERED = ["application/problem+json", "application/json", "text/html"]


def wants_page(request: Request[Any, Any, Any]) -> bool:
    """A browser asking for a page: decided by the path, then by ``Accept``."""
    path = str(request.scope.get("path", ""))
    if any(path == prefix or path.startswith(prefix + "/") for prefix in NOT_PAGES):
        return False
    return request.accept.best_match(OFFERED) == "text/html"


def error_page(
    status: int,
    text: str,
    english: bool,
    headers: dict[str, str] | None,
) -> Template:
    """The page for an error: its status and text (a 5xx names no internals), a link home.
    No one is looked up: the page may answer a request the database could not serve."""
    return Template(
        template_name="error.html",
        context={"status": status, "message": text, "en": english},
        status_code=status,
        headers=headers,
        media_type="text/html",
    )
