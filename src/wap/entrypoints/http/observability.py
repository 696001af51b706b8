"""What an operator sees of the web app: Prometheus metrics behind a bearer token, and a
request id on every response and on every log line written while serving it."""

from __future__ import annotations

import hmac
import random
import re
import time
from collections.abc import Callable
from typing import Any, cast

from dishka import FromDishka
from litestar import Request, Response, get
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.base import DefineMiddleware
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from litestar.plugins.prometheus import PrometheusMiddleware as LitestarPrometheusMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)

from wap.adapters.metrics import RATE_LIMITED, OperationsReader, ReadingsCollector
from wap.application.system.readiness import CheckReadiness
from wap.entrypoints.config import Settings

METRICS_PATH = "/metrics"
# Request latency buckets (seconds): a cached page takes a millisecond or two, a write tens.
BUCKETS: list[str | float] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0
]  # fmt: skip
UNMATCHED = "unmatched"


class RouteTemplateMiddleware(LitestarPrometheusMiddleware):
    """Litestar's Prometheus middleware and its series (``wap_requests_total``,
    ``wap_request_duration_seconds``, ``wap_requests_error_total``), labelled by the route
    template (``/api/v1/teams/{team_id}``), never the raw path. Its ``__call__`` is
    replaced by a leaner one for the cached team page's hot path: no ``Request`` or URL
    object, no in-progress gauge, and each label set's children looked up once and kept
    (measured in docs/operations.md)."""

    def __init__(self, app: ASGIApp, config: PrometheusConfig) -> None:
        super().__init__(app, config)
        self._children: dict[tuple[str, str, int], tuple[Any, Any, Any]] = {}

    def _children_of(self, method: str, path: str, status: int) -> tuple[Any, Any, Any]:
        labels: dict[str, str | int | float] = {
            "method": method,
            "path": path,
            "status_code": status,
            "app_name": "wap",
        }
        values = [str(v) for v in labels.values()]
        errors = self.requests_error_count(labels).labels(*values) if status >= 500 else None
        found = (
            self.request_count(labels).labels(*values),
            self.request_time(labels).labels(*values),
            errors,
        )
        self._children[(method, path, status)] = found
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        status = [500]  # an app that raises out of here sends nothing: count it as a 500

        async def send_and_note(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        start = time.perf_counter()
        try:
            await self.app(scope, receive, send_and_note)
        finally:
            elapsed = time.perf_counter() - start
            method = cast(str, scope.get("method", "WEBSOCKET"))
            path = scope.get("path_template") or UNMATCHED
            found = self._children.get((method, path, status[0]))
            count, duration, errors = found or self._children_of(method, path, status[0])
            count.inc()
            duration.observe(elapsed)
            if errors is not None:
                errors.inc()


def prometheus_middleware() -> DefineMiddleware:
    config = PrometheusConfig(
        app_name="wap",
        prefix="wap",
        buckets=BUCKETS,
        group_path=True,
        # Live streams (web/live.py) last as long as a page is open: not request latencies.
        exclude=[f"^{METRICS_PATH}", "^/live/"],
        scopes={ScopeType.HTTP},
        middleware_class=RouteTemplateMiddleware,
    )
    return config.middleware


def count_refusal(request: Request[Any, Any, Any]) -> None:
    """A ``rate.limited`` answer, by route template (the problem handler calls this)."""
    RATE_LIMITED.labels(request.scope.get("path_template") or UNMATCHED).inc()


def metrics_controller(settings: Settings) -> type[PrometheusController]:
    """``GET /metrics`` for a caller with ``Authorization: Bearer <WAP_METRICS_TOKEN>``.
    Without the token set the route does not exist (the caller does not mount it)."""
    assert settings.metrics_token is not None
    expected = f"Bearer {settings.metrics_token}".encode()
    multiprocess_dir = settings.metrics_dir

    def token_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        given = connection.headers.get("authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            raise NotAuthorizedException()

    class MetricsController(PrometheusController):
        path = METRICS_PATH
        guards = [token_guard]  # noqa: RUF012 (Litestar reads the class attribute)
        include_in_schema = False

        @get()
        async def get(
            self, reader: FromDishka[OperationsReader], readiness: FromDishka[CheckReadiness]
        ) -> Response[bytes]:
            # This process's counters, or with `wap serve --workers N` every worker's.
            registry = REGISTRY
            if multiprocess_dir is not None:
                registry = CollectorRegistry()
                multiprocess.MultiProcessCollector(registry, path=str(multiprocess_dir))  # type: ignore[no-untyped-call]
            # Readings of the shared stores: the same whichever process answers.
            shared = CollectorRegistry(auto_describe=False)
            checks = (await readiness()).checks
            shared.register(ReadingsCollector(await reader.read(), checks))
            body = generate_latest(registry) + generate_latest(shared)
            return Response(body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    return MetricsController


# ---- request ids --------------------------------------------------------------------------

REQUEST_ID_HEADER = b"x-request-id"
_VALID_ID = re.compile(rb"[A-Za-z0-9._-]{1,128}")
PeerIsTrusted = Callable[[Scope], bool]
# Request ids need to be distinct, not secret: 64 bits from the process's Mersenne Twister
# (seeded from the OS, and again in a forked child) instead of a system call per request.
_bits = random.getrandbits


def new_request_id() -> str:
    return f"{_bits(64):016x}"


def request_id_of(scope: Scope, peer_is_trusted: PeerIsTrusted) -> str:
    """The request's id: the one a trusted proxy sent when it is 1–128 of
    ``[A-Za-z0-9._-]``, else a fresh one."""
    if peer_is_trusted(scope):
        for name, value in scope["headers"]:
            if name == REQUEST_ID_HEADER:
                if _VALID_ID.fullmatch(value):
                    return value.decode()
                break
    return new_request_id()
