"""Behind a real nginx, configured by deploy/nginx.conf, in front of `wap serve`.

The deployed file is rendered with this machine's upstream and listen address (its proxy
headers untouched); Debian's nginx runs it with its own pid and temp paths on a
free loopback port. The app trusts the proxy by host name (``localhost``), as compose's app
trusts ``nginx``. Clients bind their sockets to 127.0.0.2, 127.0.0.3, …: distinct addresses
on one machine, so each is a client of its own to nginx and to the app."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import service_unreachable
from tests.integration.http.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
BUDGET = 5
LOGIN = "/api/v1/auth/github/login"


def nginx_binary() -> str:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None
    )
    if found is None:
        service_unreachable(
            "nginx (Debian's package; `make test` installs it)", FileNotFoundError("nginx")
        )
    assert found is not None
    return found


def render(conf: str, *, upstream: int, listen: int) -> str:
    """deploy/nginx.conf with this machine's addresses; each part must be found once."""
    for old, new in (
        ("server app:8000;", f"server 127.0.0.1:{upstream};"),
        ("listen 80;", f"listen 127.0.0.1:{listen};"),
    ):
        assert conf.count(old) == 1, f"deploy/nginx.conf no longer has {old!r}"
        conf = conf.replace(old, new)
    return conf


def main_conf(folder: Path, site: Path) -> str:
    """The few lines the Docker image's own nginx.conf gives around conf.d/default.conf."""
    user = "user root root;\n" if os.geteuid() == 0 else ""  # workers must read tmp_path
    temp = "".join(
        f"    {kind}_temp_path {folder / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"{user}worker_processes 1;\npid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} warn;\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        f"    access_log {folder / 'access.log'};\n{temp}"
        f"    include {site};\n"
        "}\n"
    )


@dataclass
class Stack:
    app_url: str
    proxy_url: str
    logs: Path

    def client(self, address: str, *, direct: bool = False) -> httpx.AsyncClient:
        """A client whose connections come from ``address`` (any 127.0.0.0/8 address)."""
        return httpx.AsyncClient(
            base_url=self.app_url if direct else self.proxy_url,
            transport=httpx.AsyncHTTPTransport(local_address=address),
            timeout=10,
        )


def stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    binary = nginx_binary()
    app_port, proxy_port = free_port(), free_port()
    media = tmp_path / "media"
    media.mkdir()
    (media / "hello.txt").write_text("served through nginx")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAP_")} | {
        # The embedded default (SQLite in tmp_path, migrated by `wap serve` itself).
        "WAP_MEDIA_DIR": str(media),
        "WAP_TRUSTED_PROXIES": "localhost",  # a host name, resolved at start
        "WAP_AUTH_RATE_LIMIT": f"{BUDGET}/minute",
        "WAP_GITHUB_CLIENT_ID": "nginx-test",  # sign-in starts answer 302 to GitHub
        "WAP_GITHUB_CLIENT_SECRET": "nginx-test",
    }
    app_log = (tmp_path / "app.log").open("wb")
    app = subprocess.Popen(
        [sys.executable, "-m", "wap.entrypoints.cli", "serve", "--port", str(app_port)],
        cwd=tmp_path,
        env=env,
        stdout=app_log,
        stderr=subprocess.STDOUT,
    )
    nginx: subprocess.Popen[bytes] | None = None
    nginx_log = (tmp_path / "nginx.log").open("wb")
    try:
        site = tmp_path / "default.conf"
        site.write_text(
            render(
                (ROOT / "deploy" / "nginx.conf").read_text(),
                upstream=app_port,
                listen=proxy_port,
            )
        )
        conf = tmp_path / "nginx.conf"
        conf.write_text(main_conf(tmp_path, site))
        command = [binary, "-p", str(tmp_path), "-e", str(tmp_path / "error.log")]
        nginx = subprocess.Popen(
            [*command, "-c", str(conf), "-g", "daemon off;"],
            stdout=nginx_log,
            stderr=subprocess.STDOUT,
        )
        yield Stack(f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{proxy_port}", tmp_path)
    finally:
        if nginx is not None:
            stop(nginx, signal.SIGQUIT)  # nginx's graceful stop
        stop(app)
        app_log.close()
        nginx_log.close()


async def wait_ready(stack: Stack) -> None:
    async with httpx.AsyncClient(timeout=2) as probe:
        for _ in range(300):
            try:
                through = await probe.get(f"{stack.proxy_url}/readyz")
                if through.status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    logs = {p.name: p.read_text(errors="replace")[-2000:] for p in stack.logs.glob("*.log")}
    raise AssertionError(f"nginx and wap serve never became ready: {logs}")


@pytest.fixture
async def ready(stack: Stack) -> AsyncIterator[Stack]:
    await wait_ready(stack)
    yield stack


async def starts(client: httpx.AsyncClient, count: int, **headers: str) -> list[int]:
    return [(await client.get(LOGIN, headers=headers)).status_code for _ in range(count)]


async def test_behind_nginx_each_client_address_has_its_own_sign_in_budget(ready: Stack) -> None:
    async with ready.client("127.0.0.2") as first, ready.client("127.0.0.3") as second:
        assert await starts(first, BUDGET) == [302] * BUDGET
        refused = await first.get(LOGIN)
        assert refused.status_code == 429 and refused.json()["code"] == "rate.limited"
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        # The other address is untouched by the first one's refusals.
        assert await starts(second, BUDGET) == [302] * BUDGET
        assert (await second.get(LOGIN)).status_code == 429
        # nginx passes /media on to the app (which reads the folder or the bucket).
        media = await first.get("/media/hello.txt")
        assert media.status_code == 200 and media.text == "served through nginx"


async def test_a_forged_forwarded_for_is_ignored_through_nginx_and_directly(ready: Stack) -> None:
    async with ready.client("127.0.0.2") as spent:
        assert await starts(spent, BUDGET) == [302] * BUDGET
    # Through nginx: the header a client writes is replaced by the address nginx sees.
    async with ready.client("127.0.0.4") as forger:
        # Posing as the spent address does not spend its budget…
        assert await starts(forger, 1, **{"X-Forwarded-For": "127.0.0.2"}) == [302]
        # …and a new made-up address each time does not buy a fresh budget.
        answers = [
            (await forger.get(LOGIN, headers={"X-Forwarded-For": f"198.51.100.{n}"})).status_code
            for n in range(BUDGET)
        ]
        assert answers == [302] * (BUDGET - 1) + [429]
    # Directly to the app from a peer that is no trusted proxy: the header is not read.
    async with ready.client("127.0.0.5", direct=True) as bypass:
        answers = [
            (await bypass.get(LOGIN, headers={"X-Forwarded-For": f"203.0.113.{n}"})).status_code
            for n in range(BUDGET + 1)
        ]
        assert answers == [302] * BUDGET + [429]


async def test_a_live_stream_comes_through_nginx_as_it_is_written(ready: Stack) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAP_")}
    seed = [sys.executable, "-m", "wap.entrypoints.cli", "demo-seed"]
    seeding = await asyncio.create_subprocess_exec(
        *seed, cwd=ready.logs, env=env, stdout=asyncio.subprocess.DEVNULL
    )
    assert await seeding.wait() == 0
    async with ready.client("127.0.0.6") as client:
        team = (await client.get("/api/v1/teams")).json()["items"][0]["id"]
        async with client.stream("GET", f"/live/teams/{team}") as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            async with asyncio.timeout(2):  # the first event, unbuffered, while it stays open
                async for line in response.aiter_lines():
                    if line.startswith("data:"):
                        assert f'"team_id":{team}' in line
                        break
