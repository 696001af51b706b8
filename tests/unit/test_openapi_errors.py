"""Each API route's OpenAPI problem list holds what the caller's credentials can answer there.

The routes come from the app's own route table. What a handler reads decides the codes
(``entrypoints/http/identity.py``): reading the caller at all lets a bad or expired token
through to a 401; calling ``signed_in()``, ``approved()`` or ``officer()`` adds the guard's
refusal; a cookie on an unsafe method must bring its CSRF token. The lists come from the
route groups of ``entrypoints/http/responses.py``."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from litestar.routes import HTTPRoute

from wap.entrypoints.config import Settings
from wap.entrypoints.http.app import create_app
from wap.entrypoints.http.responses import APPROVED, CREDENTIALS, OFFICER, SIGNED_IN

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
GUARDS = {
    "identity.signed_in()": set(SIGNED_IN) - {"auth.csrf_failed"},
    "identity.approved()": set(APPROVED) - {"auth.csrf_failed"},
    "identity.officer()": set(OFFICER) - {"auth.csrf_failed"},
}


def source_of(handler: Callable[..., Any]) -> str:
    # dishka's @inject wraps the handler and keeps the function it wrapped.
    return inspect.getsource(getattr(handler, "__dishka_orig_func__", handler))


def documented(operation: Any) -> set[str]:
    return {
        code
        for response in operation.responses.values()
        for code in re.findall(r"`([a-z_.]+)`", response.description or "")
    }


def api_operations(tmp_path: Path) -> list[tuple[str, str, str, set[str]]]:
    """(method, path, handler source, documented codes) for every API operation."""
    settings = Settings.from_env(
        {
            "WAP_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'wap.db'}",
            "WAP_SECRET_KEY": "s" * 48,
            "WAP_MEDIA_DIR": str(tmp_path / "media"),
        }
    )
    app = create_app(settings)
    schema = app.openapi_schema
    assert schema.paths is not None
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/api/"):
            continue
        path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
        for method, (handler, _) in route.route_handler_map.items():
            if method in ("HEAD", "OPTIONS"):
                continue
            operation = getattr(schema.paths[path], method.lower())
            found.append((method, path, source_of(handler.fn), documented(operation)))
    return found


def expected(method: str, source: str) -> set[str]:
    if "FromDishka[Identity]" not in source:
        return set()
    codes = set(CREDENTIALS)
    for call, refusals in GUARDS.items():
        if call in source:
            codes |= refusals
    if method in UNSAFE:
        codes.add("auth.csrf_failed")
    return codes


@pytest.fixture(scope="module")
def operations(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str, str, set[str]]]:
    return api_operations(tmp_path_factory.mktemp("openapi"))


def test_the_walk_covers_the_api(operations: list[tuple[str, str, str, set[str]]]) -> None:
    assert len(operations) > 40
    assert any(expected(method, source) for method, _, source, _ in operations)


def test_every_route_lists_what_the_callers_credentials_can_answer(
    operations: list[tuple[str, str, str, set[str]]],
) -> None:
    missing = {
        f"{method} {path}": sorted(expected(method, source) - codes)
        for method, path, source, codes in operations
        if expected(method, source) - codes
    }
    assert not missing


def test_every_officer_route_lists_the_officer_group(
    operations: list[tuple[str, str, str, set[str]]],
) -> None:
    console = [(method, path, codes) for method, path, _, codes in operations if "/admin/" in path]
    assert len(console) >= 10
    assert not {
        f"{m} {p}": sorted(set(OFFICER) - codes) for m, p, codes in console if set(OFFICER) - codes
    }
