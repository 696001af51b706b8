"""A real `wap serve` on the embedded default, seeded by `wap demo-seed`, in a folder of its own."""

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
def served(
    home: Path, host: str = "127.0.0.1", env: dict[str, str] | None = None, log: Path | None = None
) -> Iterator[str]:
    """`wap serve --host <host>` on the embedded default in ``home``, seeded by `wap demo-seed`,
    with only the given WAP_* variables; yields its loopback URL."""
    home.mkdir(parents=True, exist_ok=True)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WAP_")} | (env or {})
    subprocess.run([*WAP, "demo-seed"], cwd=home, env=environment, check=True, capture_output=True)
    port = free_port()
    output = log.open("wb") if log else subprocess.DEVNULL
    process = subprocess.Popen(
        [*WAP, "serve", "--host", host, "--port", str(port)], cwd=home, env=environment,
        stdout=output, stderr=subprocess.STDOUT,
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


@contextmanager
def demo_club(home: Path, log: Path | None = None) -> Iterator[str]:
    """Yields the base URL; the server's output goes to ``log`` (mail is logged there)."""
    # As `make serve`: the embedded default with the demo sign-in switched on.
    with served(home, env={"WAP_DEMO_SIGN_IN": "true"}, log=log) as url:
        yield url
