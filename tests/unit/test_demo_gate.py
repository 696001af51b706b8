"""The demo sign-in exists only when switched on, without a GitHub app, on a server bound to
loopback, for a browser on the same machine whose request carries no proxy header."""

from __future__ import annotations

import pytest
from litestar import Request

from wap.entrypoints.config import Settings
from wap.entrypoints.web.signin import demo_allowed


def request(server: str, client: str, headers: list[tuple[bytes, bytes]] | None = None) -> Request:  # type: ignore[type-arg]
    host = f"[{server}]:8000" if ":" in server else f"{server}:8000"
    return Request(
        {
            "type": "http",
            "server": (server, 8000),
            "client": (client, 5555),
            "headers": headers if headers is not None else [(b"host", host.encode())],
            "path": "/demo",
        }  # type: ignore[arg-type]
    )


LOCAL = Settings.from_env({"WAP_DEMO_SIGN_IN": "true", "WAP_SERVE_HOST": "127.0.0.1"})
WITH_GITHUB = Settings.from_env(
    {
        "WAP_DEMO_SIGN_IN": "true",
        "WAP_SERVE_HOST": "127.0.0.1",
        "WAP_GITHUB_CLIENT_ID": "id",
        "WAP_GITHUB_CLIENT_SECRET": "s",
    }
)


def test_demo_is_there_on_loopback_without_github_when_switched_on() -> None:
    assert demo_allowed(request("127.0.0.1", "127.0.0.1"), LOCAL)
    assert demo_allowed(request("::1", "::1"), LOCAL)
    on_v6 = Settings.from_env({"WAP_DEMO_SIGN_IN": "true", "WAP_SERVE_HOST": "::1"})
    assert demo_allowed(request("::1", "::1"), on_v6)


def test_demo_refuses_to_exist_anywhere_else() -> None:
    assert not demo_allowed(request("127.0.0.1", "127.0.0.1"), WITH_GITHUB)
    assert not demo_allowed(request("0.0.0.0", "127.0.0.1"), LOCAL)
    assert not demo_allowed(request("192.168.1.10", "192.168.1.20"), LOCAL)
    assert not demo_allowed(request("127.0.0.1", "203.0.113.5"), LOCAL)
    assert not demo_allowed(request("wap.example.org", "127.0.0.1"), LOCAL)


def test_demo_is_off_unless_switched_on() -> None:
    off = Settings.from_env({"WAP_SERVE_HOST": "127.0.0.1"})
    assert not off.demo_sign_in
    assert not demo_allowed(request("127.0.0.1", "127.0.0.1"), off)


@pytest.mark.parametrize("bound", ["0.0.0.0", "::", "192.168.1.10", "wap.example.org", None])
def test_demo_is_off_on_a_server_bound_beyond_loopback(bound: str | None) -> None:
    """Bound to 0.0.0.0, a same-machine proxy's connection still looks like loopback."""
    env = {"WAP_DEMO_SIGN_IN": "true"} | ({"WAP_SERVE_HOST": bound} if bound else {})
    assert not demo_allowed(request("127.0.0.1", "127.0.0.1"), Settings.from_env(env))


@pytest.mark.parametrize(
    "header",
    [
        "Forwarded",
        "X-Forwarded-For",
        "X-Forwarded-Host",
        "X-Forwarded-Proto",
        "X-Real-IP",
        "Via",
        "CF-Connecting-IP",
        "True-Client-IP",
    ],
)
def test_demo_is_off_for_a_request_a_proxy_touched(header: str) -> None:
    touched = request(
        "127.0.0.1",
        "127.0.0.1",
        [(b"host", b"127.0.0.1:8000"), (header.lower().encode(), b"198.51.100.7")],
    )
    assert not demo_allowed(touched, LOCAL)


@pytest.mark.parametrize(
    "host", [b"evil.example:8000", b"evil.example", b"127.0.0.1.nip.io:8000", b"", b"[::1"]
)
def test_demo_refuses_a_host_that_is_no_loopback_name(host: bytes) -> None:
    """DNS rebinding: a page on evil.example whose name now points at 127.0.0.1 reaches the
    server over loopback, but still asks for its own Host."""
    headers = [(b"host", host)] if host else []
    assert not demo_allowed(request("127.0.0.1", "127.0.0.1", headers), LOCAL)
    for name in (b"localhost:8000", b"127.0.0.1", b"[::1]:8000"):
        assert demo_allowed(request("127.0.0.1", "127.0.0.1", [(b"host", name)]), LOCAL)
