"""``/media`` when images live in object storage (docs/operations.md, "Images in object
storage"): streamed from the bucket through the app, or, with ``WAP_S3_PUBLIC_URL``, a
redirect to the bucket's (or its CDN's) public address."""

from __future__ import annotations

from typing import Annotated, Any

from dishka import FromDishka
from dishka.integrations.litestar import DishkaRouter
from litestar import Response, get
from litestar.exceptions import NotFoundException
from litestar.params import PathParameter
from litestar.response import Redirect, Stream

from wap.adapters.media.s3 import IMMUTABLE, S3ImageStore

# A redirect's target never changes either, but it is only a pointer: kept for a day.
REDIRECT_CACHE = "public, max-age=86400"


def media_router(public_url: str | None) -> DishkaRouter:
    @get("/{path:path}", include_in_schema=False)
    async def media_file(
        path: Annotated[str, PathParameter()], store: FromDishka[S3ImageStore]
    ) -> Response[Any]:
        relative = path.lstrip("/")
        if public_url is not None:
            if store.key_of(f"/media/{relative}") is None:
                raise NotFoundException()
            target = f"{public_url}/{relative}"
            return Redirect(target, status_code=302, headers={"Cache-Control": REDIRECT_CACHE})
        found = await store.open(relative)
        if found is None:
            raise NotFoundException()
        return Stream(
            found.chunks,
            media_type=found.content_type,
            headers={
                "Cache-Control": IMMUTABLE,
                "Content-Length": str(found.size),
            },
        )

    return DishkaRouter("/media", route_handlers=[media_file], include_in_schema=False)
