"""What the Prometheus middleware and the request id cost on the hottest route: the cached
team page, served by one `wap serve` process, with and without ``WAP_METRICS_TOKEN``.

Runs the embedded default (SQLite, in-process cache) in a temporary directory, seeds the demo
club, then alternates A (no metrics) and B (metrics on) ``--rounds`` times, each a ``wrk`` run
of ``--seconds`` at ``--connections``. It reports, per run, requests per second, wrk's
latency percentiles, and the server's own CPU time per request (from /proc; steadier than
throughput on a shared machine). Usage: ``python bench/metrics_ab.py [--rounds 3]``.
"""

from __future__ import annotations

import argparse
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("needs wrk (apt-get install wrk)")
    home = Path(tempfile.mkdtemp(prefix="wap-metrics-ab-"))
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("WAP_")}
        subprocess.run([*WAP, "demo-seed"], cwd=home, env=env, check=True, capture_output=True)
        results = []
        for _ in range(args.rounds):
            for metrics in (False, True):
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
