"""The demo sign-in of a real `wap serve`: on only when WAP_DEMO_SIGN_IN says so, and even
then never on a server bound beyond loopback nor for a request that came through a proxy."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.club import served


def demo_offered(url: str, headers: dict[str, str] | None = None) -> bool:
    login = httpx.get(f"{url}/login", headers=headers)
    page = httpx.get(f"{url}/demo", headers=headers)
    sign_in = httpx.post(f"{url}/demo", data={"member_id": "1"}, headers=headers)
    assert login.status_code == 200
    shown = 'data-testid="demo"' in login.text
    assert shown == (page.status_code == 200), (shown, page.status_code)
    if not shown:
        assert sign_in.status_code == 404
    return shown


def test_demo_sign_in_only_where_it_is_switched_on_and_local(tmp_path: Path) -> None:
    with served(tmp_path / "off", "127.0.0.1") as url:
        assert not demo_offered(url)  # the default: off
    with served(tmp_path / "on", "127.0.0.1", {"WAP_DEMO_SIGN_IN": "true"}) as url:
        assert demo_offered(url)
        # A same-machine nginx, tunnel or load balancer announces itself: no demo for it.
        for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP", "Via", "X-Forwarded-Host"):
            assert not demo_offered(url, {header: "198.51.100.7"}), header
    # Bound to every address, the server sees a loopback connection as 127.0.0.1 → 127.0.0.1
    # too: the bound address decides.
    with served(tmp_path / "wide", "0.0.0.0", {"WAP_DEMO_SIGN_IN": "true"}) as url:
        assert not demo_offered(url)
