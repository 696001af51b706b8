"""The Litestar application factory."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from dishka import Provider
from dishka.integrations.litestar import DishkaRouter
from litestar import Litestar, Router
from litestar.config.cors import CORSConfig
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import Scope
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import MasterDownError, OutOfMemoryError, ReadOnlyError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from swagger_ui_bundle import swagger_ui_path
from taskiq import AsyncBroker

from wap import __version__
from wap.application.errors import Unavailable
from wap.domain.errors import WapError
from wap.entrypoints import web as pages
from wap.entrypoints.config import Settings
from wap.entrypoints.heap import settle_heap
from wap.entrypoints.http import admin, auth, members, notifications, rounds, system, teams
from wap.entrypoints.http.headers import response_headers
from wap.entrypoints.http.identity import HttpProvider, forget_refused_session
from wap.entrypoints.http.media import media_router
from wap.entrypoints.http.observability import (
    metrics_controller,
    prometheus_middleware,
)
from wap.entrypoints.http.paths import StaticFiles, refuse_control_paths
from wap.entrypoints.http.problems import (
    handle_http_exception,
    handle_undecodable,
    handle_unexpected,
    handle_wap_error,
    path_of,
    problem_response,
)
from wap.entrypoints.http.proxies import TrustedProxies
from wap.entrypoints.http.scopes import setup_lazy_dishka
from wap.entrypoints.ioc import make_container
from wap.entrypoints.web import format as display
from wap.entrypoints.web.assets import REVALIDATE, favicon, not_modified
from wap.entrypoints.worker.broker import attach_container
from wap.entrypoints.worker.run import scheduler_loop

log = logging.getLogger("wap.http")
MAX_BODY_BYTES = 10 * 1024 * 1024
WEB = Path(pages.__file__).parent
SWAGGER_ASSETS = "/static/swagger"


def handle_unavailable(request, error):  # type: ignore[no-untyped-def]
    log.warning("dependency unavailable on %s %s: %s", request.method, path_of(request), error)
    return problem_response(Unavailable.code, request)


def handle_too_deep(request, error):  # type: ignore[no-untyped-def]
    """JSON nested beyond what the decoder follows: bad input, not a crash."""
    return problem_response("request.invalid", request)


def openapi_config() -> OpenAPIConfig:
    swagger = SwaggerRenderPlugin(
        js_url=f"{SWAGGER_ASSETS}/swagger-ui-bundle.js",
        css_url=f"{SWAGGER_ASSETS}/swagger-ui.css",
        standalone_preset_js_url=f"{SWAGGER_ASSETS}/swagger-ui-standalone-preset.js",
        path="/swagger",
        favicon="",
    )
    return OpenAPIConfig(
        title="WAP team building service",
        version=__version__,
        path="/schema",
        render_plugins=[swagger],
    )


API_ROUTES = [
    system.catalog,
    auth.github_login,
    auth.github_callback,
    auth.github_token,
    auth.refresh,
    auth.logout,
    auth.email_codes,
    members.own_profile,
    members.register,
    members.public_profile,
    members.update_profile,
    members.upload_avatar,
    members.member_teams,
    members.my_applications,
    members.my_likes,
    teams.list_teams,
    teams.create_team,
    teams.team_detail,
    teams.edit_team,
    teams.team_image,
    teams.delete_team,
    teams.complete_team,
    teams.hand_over,
    teams.team_members,
    teams.leave_team,
    teams.apply,
    teams.team_applications,
    teams.accept_application,
    teams.reject_application,
    teams.withdraw_application,
    teams.like_team,
    teams.unlike_team,
    admin.list_members,
    admin.approve_members,
    admin.reject_members,
    admin.expel_members,
    admin.change_role,
    admin.audit,
    admin.list_teams,
    admin.approve_teams,
    admin.reject_teams,
    admin.export,
    notifications.inbox,
    notifications.mark_read,
    *rounds.ROUTES,  # the matching round (issue 18)
]


def create_app(settings: Settings | None = None, *extra_providers: Provider) -> Litestar:
    """The web app. ``extra_providers`` override adapters (tests swap in fakes this way)."""
    settings = settings or Settings.from_env()
    settings.signing_key()  # a missing or short key stops the start, not the first sign-in
    container = make_container(settings, HttpProvider(), pages.WebProvider(), *extra_providers)

    background: list[asyncio.Task[None]] = []

    async def start_broker() -> None:
        broker = await container.get(AsyncBroker)
        attach_container(broker, container)
        await broker.startup()
        if not settings.uses_redis:
            # No Redis: the ledger and broker live in this process, so does the schedule.
            background.append(asyncio.create_task(scheduler_loop(broker)))

    async def start_proxies() -> None:
        # WAP_TRUSTED_PROXIES' host names resolve now, not on the first request (proxies.py).
        app.state.trusted_proxies = await container.get(TrustedProxies)

    async def stop_background() -> None:
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)

    api = DishkaRouter("/api/v1", route_handlers=API_ROUTES)
    web = DishkaRouter(
        "/",
        route_handlers=pages.ROUTES,
        include_in_schema=False,
        middleware=[forget_refused_session],  # a refused session cookie is cleared, not a 401
    )
    web_assets = create_static_files_router(
        path="/static/web",
        directories=[WEB / "static"],
        file_system=StaticFiles(),
        include_in_schema=False,
        cache_control=REVALIDATE,  # with the ETag: kept, then revalidated (web/assets.py)
        middleware=[not_modified],
    )
    probes = DishkaRouter("/", route_handlers=[system.healthz, system.readyz, favicon])
    assets = create_static_files_router(
        path=SWAGGER_ASSETS,
        directories=[swagger_ui_path],
        file_system=StaticFiles(),
        include_in_schema=False,
    )
    media: Router
    if settings.media_bucket is not None:  # object storage: read through the store
        media = media_router(settings.s3_public_url)
    else:
        settings.media_dir.mkdir(parents=True, exist_ok=True)
        media = create_static_files_router(
            path="/media",
            directories=[settings.media_dir],
            file_system=StaticFiles(),
            include_in_schema=False,
        )
    routers: list[Router] = [api, probes, assets, media, web, web_assets]
    middleware: list[object] = [refuse_control_paths]
    if settings.metrics_token is not None:  # unset: no /metrics, no per-request metrics
        routers.append(DishkaRouter("/", route_handlers=[metrics_controller(settings)]))
        middleware.append(prometheus_middleware())
    app = Litestar(
        route_handlers=routers,
        openapi_config=openapi_config(),
        exception_handlers={
            WapError: handle_wap_error,
            RecursionError: handle_too_deep,
            UnicodeError: handle_undecodable,
            LookupError: handle_undecodable,
            HTTPException: handle_http_exception,
            OperationalError: handle_unavailable,
            InterfaceError: handle_unavailable,
            PoolTimeoutError: handle_unavailable,
            RedisConnectionError: handle_unavailable,
            RedisTimeoutError: handle_unavailable,
            # A Redis that refuses writes (a replica after a failover, maxmemory reached).
            ReadOnlyError: handle_unavailable,
            OutOfMemoryError: handle_unavailable,
            MasterDownError: handle_unavailable,
            Exception: handle_unexpected,
        },
        request_max_body_size=MAX_BODY_BYTES,
        middleware=middleware,  # type: ignore[arg-type]
        cors_config=(
            CORSConfig(
                allow_origins=sorted(settings.cors_origins),
                allow_credentials=True,
                allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                allow_headers=["Authorization", "Content-Type", "X-CSRF-Token", "Accept-Language"],
            )
            if settings.cors_origins
            else None
        ),
        template_config=TemplateConfig(
            directory=WEB / "templates",
            engine=JinjaTemplateEngine,
            engine_callback=display.register,  # how values show: KST, labels (web/format.py)
        ),
        on_startup=[start_broker, start_proxies],
        on_shutdown=[stop_background, container.close],
        debug=False,
        logging_config=None,  # the process's logging is set up once (entrypoints/logs.py)
    )
    setup_lazy_dishka(container, app)  # the request scope opened on first use (scopes.py)

    def peer_is_trusted(scope: Scope) -> bool:
        # The app's TrustedProxies, set when the app starts (start_proxies).
        proxies: TrustedProxies | None = getattr(app.state, "trusted_proxies", None)
        return proxies is not None and proxies.peer_is_trusted(scope)

    # Outermost, so that unmatched routes get an id and the security headers (the CSP of an
    # error page) too.
    app.asgi_handler = response_headers(
        app.asgi_handler, hsts=settings.cookie_secure, peer_is_trusted=peer_is_trusted
    )
    return app


def app_from_env() -> Litestar:
    """Factory for ``uvicorn --factory`` (``wap serve``): each worker process builds its own
    app, and once it has started, settles its heap (entrypoints/heap.py). Tests build apps
    with ``create_app`` instead, many per process: nothing of theirs is frozen."""
    app = create_app(Settings.from_env())

    async def settle() -> None:
        settle_heap()

    app.on_startup.append(settle)  # after the app's own start-up hooks
    return app
