"""`wap serve` as a subprocess of its own on the embedded default, in a folder of its own."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.integration.http.conftest import free_port

WAP = [sys.executable, "-m", "wap.entrypoints.cli"]


@dataclass
class Served:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> bytes:
        return self.log.read_bytes()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(timeout=30)

    def peak_rss_kib(self) -> int:
        """The server process's peak resident set (``VmHWM``) so far, in KiB."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
        return int(line.split()[1])


def start_wap_serve(home: Path, *args: str, env: dict[str, str] | None = None) -> Served:
    """One `wap serve` process (no ``--workers``: the pid is the server), healthy."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("WAP_")}
    port = free_port()
    log = home / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*WAP, "serve", "--port", str(port), *args],
            cwd=home,
            env=base | (env or {}),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    served = Served(f"http://127.0.0.1:{port}", process, log)
    for _ in range(600):
        if process.poll() is not None:
            raise AssertionError(served.output().decode(errors="replace"))
        try:
            if httpx.get(f"{served.url}/healthz", timeout=1).status_code == 200:
                return served
        except httpx.TransportError:
            time.sleep(0.1)
    served.stop()
    raise AssertionError("wap serve never became healthy")


@contextmanager
def wap_serve(home: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[Served]:
    served = start_wap_serve(home, *args, env=env)
    try:
        yield served
    finally:
        served.stop()
