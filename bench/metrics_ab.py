"""What the Prometheus middleware and the request id cost on the hottest route: the cached
team page, served by one `wap serve` process, with and without ``WAP_METRICS_TOKEN``.

Runs the embedded default (SQLite, in-process cache) in a temporary directory, seeds the demo
club, then alternates A (no metrics) and B (metrics on) ``--rounds`` times, each a ``wrk`` run
of ``--seconds`` at ``--connections``. It reports, per run, requests per second, wrk's
latency percentiles, and the server's own CPU time per request (from /proc; steadier than
throughput on a shared machine). Usage: ``python bench/metrics_ab.py [--rounds 3]``.
``--in-process`` instead calls the whole app as ASGI in one process (no network, no wrk),
alternating batches with and without metrics: the steadiest figure on a busy machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

WAP = [sys.executable, "-m", "wap.entrypoints.cli"]
TOKEN = "bench-metrics-token-0123456789"
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def wrk(url: str, seconds: int, connections: int) -> tuple[int, float, str, str]:
    done = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    requests = int(re.search(r"(\d+) requests in", done)[1])  # type: ignore[index]
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", done)[1])  # type: ignore[index]
    p50 = re.search(r"^\s+50%\s+(\S+)", done, re.M)[1]  # type: ignore[index]
    p99 = re.search(r"^\s+99%\s+(\S+)", done, re.M)[1]  # type: ignore[index]
    if "Non-2xx" in done:
        raise SystemExit(f"wrk saw errors:\n{done}")
    return requests, rate, p50, p99


def run(home: Path, metrics: bool, seconds: int, connections: int) -> dict[str, object]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WAP_", "PROMETHEUS_"))}
    env["WAP_LOG_FORMAT"] = "json"
    if metrics:
        env["WAP_METRICS_TOKEN"] = TOKEN
    server = subprocess.Popen(
        [*WAP, "serve", "--port", str(port)],
        cwd=home,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        url = f"{base}/api/v1/teams/1"
        urllib.request.urlopen(url, timeout=5)  # fills the cache
        wrk(url, 2, connections)  # warm-up
        before = cpu_seconds(server.pid)
        requests, rate, p50, p99 = wrk(url, seconds, connections)
        cpu = cpu_seconds(server.pid) - before
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "metrics": metrics,
        "rate": rate,
        "p50": p50,
        "p99": p99,
        "cpu_us": cpu / requests * 1e6,
    }


def http_scope(path: str) -> dict[str, object]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"bench"), (b"accept", b"*/*")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


async def in_process(home: Path, rounds: int, batch: int) -> None:
    """The whole app called as ASGI in this process, no network: two apps (metrics off and
    on) over the same database, alternating batches, timed in this process's CPU time."""
    from litestar.testing import AsyncTestClient

    from wap.entrypoints.config import Settings
    from wap.entrypoints.http.app import create_app

    os.chdir(home)  # the embedded default's database and key file
    base = {"WAP_LOG_FORMAT": "json"}
    apps = {
        "off": create_app(Settings.from_env(base)),
        "on ": create_app(Settings.from_env(base | {"WAP_METRICS_TOKEN": TOKEN})),
    }
    statuses: list[int] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(int(message["status"]))  # type: ignore[call-overload]

    spent: dict[str, list[float]] = {name: [] for name in apps}
    async with AsyncTestClient(apps["off"]), AsyncTestClient(apps["on "]):  # lifespans
        for _ in range(rounds + 1):  # the first round warms up and is not counted
            for name, app in apps.items():
                started = time.process_time()
                for _ in range(batch):
                    await app(http_scope("/api/v1/teams/1"), receive, send)  # type: ignore[arg-type]
                spent[name].append((time.process_time() - started) / batch * 1e6)
    assert set(statuses) == {200}, set(statuses)
    for name, times in spent.items():
        print(
            f"in process, metrics={name}: {statistics.median(times[1:]):.1f} µs CPU/request "
            f"(rounds: {', '.join(f'{t:.0f}' for t in times[1:])})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--in-process", action="store_true", help="call the app as ASGI here instead of wrk"
    )
    args = parser.parse_args()
    if args.in_process:
        home = Path(tempfile.mkdtemp(prefix="wap-metrics-ab-"))
        try:
            env = {k: v for k, v in os.environ.items() if not k.startswith("WAP_")}
            subprocess.run([*WAP, "demo-seed"], cwd=home, env=env, check=True, capture_output=True)
            asyncio.run(in_process(home, args.rounds, 2000))
        finally:
            shutil.rmtree(home, ignore_errors=True)
        return
    if shutil.which("wrk") is None:
        raise SystemExit("needs wrk (apt-get install wrk)")
    home = Path(tempfile.mkdtemp(prefix="wap-metrics-ab-"))
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("WAP_")}
        subprocess.run([*WAP, "demo-seed"], cwd=home, env=env, check=True, capture_output=True)
        results = []
        for round_ in range(args.rounds):
            # Either order in turn, so that neither side always runs on a warmer machine.
            for metrics in (False, True) if round_ % 2 == 0 else (True, False):
                found = run(home, metrics, args.seconds, args.connections)
                results.append(found)
                print(
                    f"metrics={'on ' if metrics else 'off'}  {found['rate']:8.0f} req/s  "
                    f"p50 {found['p50']:>8}  p99 {found['p99']:>8}  "
                    f"server CPU {found['cpu_us']:6.1f} µs/request",
                    flush=True,
                )
        for metrics in (False, True):
            mine = [r for r in results if r["metrics"] is metrics]
            print(
                f"median metrics={'on ' if metrics else 'off'}: "
                f"{statistics.median(float(r['rate']) for r in mine):.0f} req/s, "  # type: ignore[arg-type]
                f"{statistics.median(float(r['cpu_us']) for r in mine):.1f} µs CPU/request"  # type: ignore[arg-type]
            )
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
