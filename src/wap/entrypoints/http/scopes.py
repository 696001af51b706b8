"""dishka's request scope, entered only by a request that asks for something of that scope.

dishka's Litestar integration opens a request container for every HTTP request, before
anything asks it for anything: a ``Request``, a chain of child containers, and closing them
again. Measured on `/healthz` under saturation, that was 17 µs of CPU per request, a quarter
of the whole request (docs/performance.md, *Fourth pass*). Here each request gets a
``LazyRequestScope`` in its place: what the app's container makes (the hot reads' use cases,
``Identify``, the settings) comes from the app's container directly, and the request's own
container is opened on the first request-scoped ask (a unit of work, ``Identity``, ``Page``)
and closed, with the request's exception if any, when the request ends. A cached team page
read by a caller without a token never opens it.
"""

from __future__ import annotations

from typing import Any

from dishka import DEFAULT_COMPONENT, AsyncContainer
from dishka import Scope as DIScope
from dishka.integrations.litestar import make_add_request_container_middleware
from litestar import Litestar, Request
from litestar.enums import ScopeType
from litestar.types import Receive, Scope, Send

STATE_KEY = "dishka_container"  # where dishka's Litestar integration looks for the container


class LazyRequestScope:
    """Stands where dishka's integration expects the request's container
    (``request.state.dishka_container``); only ``get`` and ``close`` are asked of it."""

    __slots__ = ("_app", "_app_types", "_opened", "_scope")

    def __init__(self, app: AsyncContainer, app_types: frozenset[Any], scope: Scope) -> None:
        self._app, self._app_types, self._scope = app, app_types, scope
        self._opened: AsyncContainer | None = None

    @property
    def opened(self) -> bool:
        return self._opened is not None

    async def get(self, dependency_type: Any, component: Any = DEFAULT_COMPONENT) -> Any:
        if component == DEFAULT_COMPONENT and dependency_type in self._app_types:
            return await self._app.get(dependency_type)
        if self._opened is None:
            request: Request[Any, Any, Any] = Request(self._scope)
            self._opened = self._app({Request: request}, scope=DIScope.REQUEST)
        return await self._opened.get(dependency_type, component)

    async def close(self, exception: BaseException | None = None) -> None:
        if self._opened is not None:
            await self._opened.close(exception)


def app_scoped(container: AsyncContainer) -> frozenset[Any]:
    """The types the app's container makes itself. Not ``AsyncContainer``: a handler asking
    for it means the request's container."""
    return frozenset(
        key.type_hint
        for key in container.registry.factories
        if key.component == DEFAULT_COMPONENT and key.type_hint is not AsyncContainer
    )


def setup_lazy_dishka(container: AsyncContainer, app: Litestar) -> None:
    """What ``dishka.integrations.litestar.setup_dishka`` does, with the request scope lazy
    for HTTP requests (WebSockets, which this app does not serve, as dishka does)."""
    inner = app.asgi_handler
    eager = make_add_request_container_middleware(inner)
    app_types = app_scoped(container)

    async def with_request_scope(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await eager(scope, receive, send)
            return
        lazy = LazyRequestScope(container, app_types, scope)
        state: dict[str, Any] = scope.setdefault("state", {})
        state[STATE_KEY] = lazy
        try:
            await inner(scope, receive, send)
        except BaseException as error:
            await lazy.close(error)
            raise
        await lazy.close()

    app.asgi_handler = with_request_scope
    app.state.dishka_container = container
