"""A redis-server of a test's own (stopped, restarted or made a replica by that test)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

from tests.conftest import service_unreachable


def start_redis_server(port: int, *extra: str) -> subprocess.Popen[bytes]:
    """redis-server on 127.0.0.1:``port`` with no persistence, once it accepts connections.
    Missing, it skips the test outside CI and fails it under CI=true."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
    try:
        process = subprocess.Popen(
            [*command, "no", *extra], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    except FileNotFoundError as error:
        service_unreachable("redis-server (to run a Redis of the test's own)", error)
        raise
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("redis-server did not start")
