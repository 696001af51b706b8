"""Every route of the app × bodies that cannot be decoded: never a 5xx, nothing written.

The routes come from the Litestar app's own route table, so a new route is walked as soon as
it exists. The caller is a signed-in officer (bearer token, and a CSRF cookie and header for
good measure), so each body reaches the decoder. Path ids name nothing: a route that reads
no body answers 404 and changes nothing either."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from litestar.routes import HTTPRoute
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.http.conftest import World
from wap.adapters.sql.tables import metadata
from wap.entrypoints.http.app import create_app

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
CSRF = "c" * 32
# What to put in a path parameter: ids that exist nowhere, and words the routes know.
WORDS = {
    "verdict": "accept",
    "what": "complete",
    "kind": "members",
    "action": "approve",
    "name": "members.csv",
    "file_path": "x.png",
}
NOWHERE = "987654"

MP = "multipart/form-data; boundary=b"
NAMED = b'Content-Disposition: form-data; name="a"'
FILE = b'Content-Disposition: form-data; name="image"; filename="a.png"'


def part(*headers: bytes, content: bytes = b"x", end: bool = True) -> bytes:
    """One part of a multipart body with boundary ``b``, its headers and content as given."""
    head = b"".join(h + b"\r\n" for h in headers)
    return b"--b\r\n" + head + b"\r\n" + content + (b"\r\n--b--\r\n" if end else b"")


BAD_BODIES: list[tuple[str, str, bytes]] = [
    ("json-not-utf8", "application/json", b"\xff\xfe\x00garbage"),
    ("json-latin1-inside", "application/json", b'{"title": "caf\xe9", "ids": [1]}'),
    ("json-truncated", "application/json", b'{"ids": [1, 2'),
    ("json-lone-surrogate", "application/json", b'{"title": "\\ud800", "email": "\\udfff"}'),
    ("json-bogus-charset", "application/json; charset=nonsense", b'{"ids": ["x"]}'),
    ("json-utf16", "application/json; charset=utf-16", '{"ids": [1]}'.encode("utf-16")),
    ("json-on-a-form-route", "application/json", b'{"csrf": "x", "title": "a"}'),
    ("form-on-a-json-route", "application/x-www-form-urlencoded", b"csrf=x&title=a&ids=1"),
    ("form-percent-not-utf8", "application/x-www-form-urlencoded", b"csrf=x&title=%FF%FE%00"),
    ("form-raw-not-utf8", "application/x-www-form-urlencoded", b"csrf=x&title=\xff\xfe&ids=\xc3"),
    (
        "form-latin1",
        "application/x-www-form-urlencoded; charset=latin-1",
        "a=café".encode("latin-1"),
    ),
    ("form-bogus-charset", "application/x-www-form-urlencoded; charset=nonsense", b"csrf=x&a=b"),
    ("form-bogus-charset-bytes", "application/x-www-form-urlencoded; charset=x", b"a=\xff%ff"),
    ("multipart-no-boundary", "multipart/form-data", part(NAMED)),
    ("multipart-empty-boundary", "multipart/form-data; boundary=", b"--\r\n\r\n--"),
    ("multipart-wrong-boundary", "multipart/form-data; boundary=other", part(NAMED)),
    (
        "multipart-truncated",
        MP,
        part(FILE, b"Content-Type: image/png", content=b"\x89PNG", end=False),
    ),
    ("multipart-no-name", MP, part(b"Content-Disposition: form-data")),
    ("multipart-no-disposition", MP, part(b"Content-Type: text/plain")),
    ("multipart-value-not-utf8", MP, part(NAMED, content=b"\xff\xfe")),
    ("multipart-name-not-utf8", MP, part(b'Content-Disposition: form-data; name="\xff"')),
    ("multipart-filename-not-utf8", MP, part(FILE.replace(b"a.png", b"\xff.png"))),
    ("multipart-bogus-charset", MP + "; charset=nonsense", part(NAMED, content=b"\xff")),
    (
        "multipart-part-bogus-charset",
        MP,
        part(NAMED, b"Content-Type: text/plain; charset=nonsense"),
    ),
    ("multipart-filename-star", MP, part(NAMED + b"; filename*=nonsense''%ff.png")),
    ("multipart-header-garbage", MP, part(b"\xff\xfe: \xff")),
    ("multipart-headers-unterminated", MP, b"--b\r\n" + NAMED + b"\r\n" + b"X: y\r\n" * 50),
    ("multipart-two-images", MP, part(FILE, end=False) + b"\r\n" + part(FILE)),
    ("multipart-too-many-parts", MP, (part(NAMED, end=False) + b"\r\n") * 1001 + b"--b--\r\n"),
    ("text-not-utf8", "text/plain", b"\xff\xfe"),
    ("no-content-type", "", b"\xff{\xfe"),
]
# Well-formed forms (``filename*`` is ignored, as RFC 7578 asks; a field may repeat): bad for
# the API routes only; web pages refuse their CSRF token.
GOOD_FORMS = ("form-on-a-json-route", "multipart-filename-star", "multipart-two-images")


def walked_routes(world: World) -> list[tuple[str, str, bool]]:
    """(method, concrete path, whether the handler takes a decoded body) for every unsafe
    method of every route; logout last, as it ends the session the other requests use."""
    app = create_app(world.settings)
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        path = re.sub(
            r"\{(\w+):(\w+)\}",
            lambda m: NOWHERE if m[2] == "int" else WORDS.get(m[1], "x"),
            route.path,
        )
        found += [
            (method, path, "data" in handler.parsed_fn_signature.parameters)
            for method, (handler, _) in sorted(route.route_handler_map.items())
            if method in UNSAFE
        ]
    return sorted(found, key=lambda pair: "logout" in pair[1])


async def snapshot(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    async with engine.connect() as connection:
        return {
            table.name: sorted(
                (tuple(map(repr, row)) for row in await connection.execute(select(table))),
            )
            for table in metadata.sorted_tables
        }


@pytest.fixture
def backend() -> str:
    return "sqlite"  # the decoders are the web framework's; the database does not matter


@pytest.mark.parametrize(
    ("case", "content_type", "body"), BAD_BODIES, ids=[c[0] for c in BAD_BODIES]
)
async def test_no_route_fails_on_a_body_it_cannot_decode(
    world: World, case: str, content_type: str, body: bytes
) -> None:
    good_form = case in GOOD_FORMS
    officer = await world.account("Officer", officer=True)
    routes = walked_routes(world)
    assert len(routes) > 40, routes  # the walk really covers the app
    before = await snapshot(world.engine)
    headers = officer.auth | {"x-csrf-token": CSRF, "cookie": f"wap_csrf={CSRF}"}
    if content_type:
        headers["content-type"] = content_type
    refused = []
    for method, path, reads_data in routes:
        response = await world.client.request(method, path, content=body, headers=headers)
        if not answers_well(path, reads_data, good_form, response):
            refused.append((method, path, response.status_code, response.text[:200]))
    assert not refused, "\n".join(map(str, refused))
    assert await snapshot(world.engine) == before


def answers_well(path: str, reads_data: bool, good_form: bool, response: httpx.Response) -> bool:
    """No 5xx. A body the route must decode (an API route's ``data``, a web page's form)
    gets problem JSON: ``request.invalid`` (400/422), or a refusal that comes before the
    body is read (401/403/404/413). An API route that reads no body, or a web page sent a
    well-formed form, may answer anything but a 5xx."""
    if response.status_code >= 500:
        return False
    api = path.startswith("/api/")
    if (api and not reads_data) or (not api and good_form):
        return True
    if not response.headers.get("content-type", "").startswith("application/problem+json"):
        return False
    code = response.json()["code"]
    if code == "request.invalid":
        return response.status_code in (400, 422)
    return response.status_code in (401, 403, 404, 413)
