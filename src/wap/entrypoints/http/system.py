from __future__ import annotations

from dishka import FromDishka
from litestar import Response, get

from wap.application.catalog.get_catalog import CatalogView, GetCatalog
from wap.application.system.readiness import CheckReadiness, Readiness


@get("/healthz", tags=["system"], summary="The process is up")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@get(
    "/readyz",
    tags=["system"],
    summary="The database (and Redis, when configured) answer",
    responses={},
)
async def readyz(check: FromDishka[CheckReadiness]) -> Response[Readiness]:
    readiness = await check()
    return Response(readiness, status_code=200 if readiness.ready else 503)


@get("/catalog", tags=["catalog"], summary="Positions, genres, categories, limits, current term")
async def catalog(get_catalog: FromDishka[GetCatalog]) -> CatalogView:
    return await get_catalog()
