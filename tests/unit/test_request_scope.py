"""dishka's request scope opens only when a request asks for something of it
(entrypoints/http/scopes.py), and then works as dishka's own: one container per request,
closed when the request ends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from dishka import FromDishka, Provider, Scope, make_async_container, provide
from dishka.integrations.litestar import DishkaRouter, LitestarProvider
from litestar import Litestar, Request, get
from litestar.testing import AsyncTestClient

from wap.entrypoints.http.scopes import LazyRequestScope, setup_lazy_dishka


class Shared:
    """Made by the app's container."""


class PerRequest:
    def __init__(self, path: str) -> None:
        self.path = path


class Ledger:
    def __init__(self) -> None:
        self.opened: list[str] = []
        self.closed: list[str] = []


LEDGER = Ledger()


class Wiring(Provider):
    @provide(scope=Scope.APP)
    def shared(self) -> Shared:
        return Shared()

    @provide(scope=Scope.REQUEST)
    async def per_request(self, request: Request) -> AsyncIterator[PerRequest]:  # type: ignore[type-arg]
        LEDGER.opened.append(request.url.path)
        yield PerRequest(request.url.path)
        LEDGER.closed.append(request.url.path)


@get("/app-only")
async def app_only(request: Request[Any, Any, Any], shared: FromDishka[Shared]) -> dict[str, Any]:
    scope = request.state.dishka_container
    assert isinstance(scope, LazyRequestScope)
    return {"shared": id(shared), "opened": scope.opened}


@get("/per-request")
async def per_request(one: FromDishka[PerRequest], two: FromDishka[PerRequest]) -> dict[str, Any]:
    return {"same": one is two, "path": one.path}


def app() -> Litestar:
    container = make_async_container(Wiring(), LitestarProvider())
    made = Litestar(
        route_handlers=[DishkaRouter("/", route_handlers=[app_only, per_request])],
        on_shutdown=[container.close],
    )
    setup_lazy_dishka(container, made)
    return made


async def test_a_request_asking_only_for_the_apps_objects_opens_no_request_scope() -> None:
    LEDGER.opened.clear()
    async with AsyncTestClient(app()) as client:
        first = (await client.get("/app-only")).json()
        second = (await client.get("/app-only")).json()
    assert first["opened"] is False and second["opened"] is False
    assert first["shared"] == second["shared"]  # one for the app
    assert LEDGER.opened == []


async def test_a_request_scoped_object_is_made_once_per_request_and_closed_after_it() -> None:
    LEDGER.opened.clear()
    LEDGER.closed.clear()
    async with AsyncTestClient(app()) as client:
        answers = [(await client.get("/per-request")).json() for _ in range(3)]
    assert answers == [{"same": True, "path": "/per-request"}] * 3
    assert LEDGER.opened == ["/per-request"] * 3
    assert LEDGER.closed == ["/per-request"] * 3  # each request's scope closed at its end
