"""The demo sign-in exists only without a GitHub app, on loopback, for a local browser."""

from __future__ import annotations

from litestar import Request

from wap.entrypoints.config import Settings
from wap.entrypoints.web.pages import demo_allowed


def request(server: str, client: str) -> Request:  # type: ignore[type-arg]
    return Request(
        {
            "type": "http",
            "server": (server, 8000),
            "client": (client, 5555),
            "headers": [],
            "path": "/demo",
        }  # type: ignore[arg-type]
    )


LOCAL = Settings.from_env({})
WITH_GITHUB = Settings.from_env({"WAP_GITHUB_CLIENT_ID": "id", "WAP_GITHUB_CLIENT_SECRET": "s"})


def test_demo_is_there_on_loopback_without_github() -> None:
    assert demo_allowed(request("127.0.0.1", "127.0.0.1"), LOCAL)
    assert demo_allowed(request("::1", "::1"), LOCAL)


def test_demo_refuses_to_exist_anywhere_else() -> None:
    assert not demo_allowed(request("127.0.0.1", "127.0.0.1"), WITH_GITHUB)
    assert not demo_allowed(request("0.0.0.0", "127.0.0.1"), LOCAL)
    assert not demo_allowed(request("192.168.1.10", "192.168.1.20"), LOCAL)
    assert not demo_allowed(request("127.0.0.1", "203.0.113.5"), LOCAL)
    assert not demo_allowed(request("wap.example.org", "127.0.0.1"), LOCAL)
