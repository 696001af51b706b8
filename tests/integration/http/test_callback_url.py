"""The OAuth callback URL as the browser sees it: behind a proxy that ends TLS, https.
GitHub compares the whole redirect_uri with the OAuth app's callback URL."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.integration.http.conftest import SECRET, serving
from wap.entrypoints.config import Settings
from wap.entrypoints.http.app import create_app


async def redirect_uri(tmp_path: Path, trusted: str, headers: dict[str, str]) -> str:
    settings = Settings.from_env(
        {
            "WAP_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'wap.db'}",
            "WAP_SECRET_KEY": SECRET,
            "WAP_MEDIA_DIR": str(tmp_path / "media"),
            "WAP_GITHUB_CLIENT_ID": "client",
            "WAP_GITHUB_CLIENT_SECRET": "secret",
            "WAP_TRUSTED_PROXIES": trusted,
        }
    )
    async with (
        serving(create_app(settings)) as url,
        httpx.AsyncClient(base_url=url, timeout=10) as client,
    ):
        start = await client.get("/api/v1/auth/github/login", headers=headers)
    assert start.status_code == 302, start.text
    return parse_qs(urlsplit(start.headers["location"]).query)["redirect_uri"][0]


async def test_behind_a_trusted_tls_proxy_the_callback_is_https(tmp_path: Path) -> None:
    proxied = {"Host": "wap.example.org", "X-Forwarded-Proto": "https"}
    assert (
        await redirect_uri(tmp_path, "127.0.0.1", proxied)
        == "https://wap.example.org/api/v1/auth/github/callback"
    )


async def test_an_untrusted_peer_cannot_choose_the_scheme(tmp_path: Path) -> None:
    proxied = {"Host": "wap.example.org", "X-Forwarded-Proto": "https"}
    assert (
        await redirect_uri(tmp_path, "10.9.9.9", proxied)
        == "http://wap.example.org/api/v1/auth/github/callback"
    )
    odd = {"Host": "wap.example.org", "X-Forwarded-Proto": "gopher"}
    assert (await redirect_uri(tmp_path, "127.0.0.1", odd)).startswith("http://wap.example.org/")
