"""The floor: what Litestar on uvicorn does with nothing behind it.

    .venv/bin/python bench/floor.py --port 8001 --body-bytes 1417

One GET, ``/floor``, answers a constant JSON body of ``--body-bytes`` bytes (give it the size
of a real team detail response). uvicorn runs it exactly as ``wap serve`` runs the service
(``wap.entrypoints.cli.cmd_serve``): one process, the same loop and HTTP implementations
(``auto``: uvloop and httptools when installed), no proxy headers, no server header, no
access log. The service's requests per second as a share of this one's says how much of the
framework's capacity the service's own work leaves.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import uvicorn
from litestar import Litestar, MediaType, Response, get

PATH = "/floor"
_EMPTY = b'{"floor":""}'


def constant_body(size: int) -> bytes:
    """A JSON object of exactly ``size`` bytes."""
    if size < len(_EMPTY):
        raise ValueError(f"a JSON body of {size} bytes is too small (at least {len(_EMPTY)})")
    return b'{"floor":"' + b"x" * (size - len(_EMPTY)) + b'"}'


def create_floor_app(body_bytes: int) -> Litestar:
    body = constant_body(body_bytes)

    @get(PATH)
    async def floor() -> Response[bytes]:
        return Response(content=body, media_type=MediaType.JSON)

    return Litestar(route_handlers=[floor], openapi_config=None, debug=False)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Litestar + uvicorn answering one constant GET")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--body-bytes", type=int, required=True)
    args = parser.parse_args(argv)
    uvicorn.run(
        create_floor_app(args.body_bytes),
        host=args.host,
        port=args.port,
        # As `wap serve`: one process; loop and http left to uvicorn's choice ("auto").
        workers=1,
        loop="auto",
        http="auto",
        proxy_headers=False,
        server_header=False,
        access_log=False,
        log_level="info",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
