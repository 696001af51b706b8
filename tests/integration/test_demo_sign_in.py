"""The demo sign-in of a real `wap serve`: on only when WAP_DEMO_SIGN_IN says so, and even
then never on a server bound beyond loopback nor for a request that came through a proxy."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.integration.http.conftest import free_port

WAP = [sys.executable, "-m", "wap.entrypoints.cli"]


@contextmanager
def served(home: Path, host: str, **env: str) -> Iterator[str]:
    """`wap serve --host <host>` on the embedded default; yields its loopback URL."""
    home.mkdir(parents=True, exist_ok=True)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WAP_")} | env
    subprocess.run([*WAP, "demo-seed"], cwd=home, env=environment, check=True, capture_output=True)
    port = free_port()
    process = subprocess.Popen(
        [*WAP, "serve", "--host", host, "--port", str(port)], cwd=home, env=environment,
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


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
    with served(tmp_path / "on", "127.0.0.1", WAP_DEMO_SIGN_IN="true") as url:
        assert demo_offered(url)
        # A same-machine nginx, tunnel or load balancer announces itself: no demo for it.
        for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP", "Via", "X-Forwarded-Host"):
            assert not demo_offered(url, {header: "198.51.100.7"}), header
    # Bound to every address, the server sees a loopback connection as 127.0.0.1 → 127.0.0.1
    # too: the bound address decides.
    with served(tmp_path / "wide", "0.0.0.0", WAP_DEMO_SIGN_IN="true") as url:
        assert not demo_offered(url)
