"""Side-by-side A/B of two source trees of the service: server CPU per request, medians.

    bench/ab.py --before /tmp/before/src --after src [--rounds 5] [--seconds 8]

Both trees run against the same seeded MariaDB (``wap_bench``) and Redis (bench/run's, or
``WAP_BENCH_REDIS_URL``), each as ``wap serve --workers 1`` on core 0 with the read cache on
and off (four servers up at once; an idle one costs nothing). Each round loads every
(page, cache) pair once per tree with ``wrk -t2 -c64`` from core 1, the trees in alternating
order, and takes the serving process's CPU time (utime + stime) over the run divided by the
requests served: a figure that hardly moves when something else shares the machine, unlike
requests/s. The floor (bench/floor.py) runs in every round too, for the multiple. Prints each
run and the medians. Team pages count views (fresh viewers in every run).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import runner

PAGES = {
    "detail": ("team_detail.lua", True),
    "profile": ("profile.lua", False),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, required=True, help="the src/ of tree A")
    parser.add_argument("--after", type=Path, required=True, help="the src/ of tree B")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--pages", default="detail,profile")
    parser.add_argument("--cache", default="on,off")
    options = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="wap-ab-"))
    report = runner.Report(
        started=runner.datetime.now(runner.UTC),
        argv=[],
        scale=1,
        durations=runner.Durations(10, options.seconds, 3),
    )
    bench_options = argparse.Namespace(scale=1, threads=2, connections=64)
    bench = runner.Bench(bench_options, scratch, report)
    trees = {"before": options.before.resolve(), "after": options.after.resolve()}
    caches = [c == "on" for c in options.cache.split(",")]
    pages = options.pages.split(",")
    results: dict[tuple[str, str, str], list[tuple[float, float]]] = {}
    try:
        runner.check_tools()
        bench.prepare()
        servers = {}
        for label, tree in trees.items():
            for cache in caches:
                env = runner.service_env(cache, scratch / "media", bench.secret_key)
                env["PYTHONPATH"] = f"{tree}{os.pathsep}{runner.ROOT}"
                port = runner.free_port()
                command = [
                    "taskset", "-c", runner.SERVER_CORE, str(runner.BIN / "python"), "-m",
                    "wap.entrypoints.cli", "serve", "--workers", "1", "--port", str(port),
                ]  # fmt: skip
                name = f"{label}-cache-{'on' if cache else 'off'}"
                server = bench.processes.start(name, command, env)
                server.port = port
                runner.wait_until_ready(server, "/readyz")
                bench.read_everything(server)
                for page in pages:
                    script, _ = PAGES[page]
                    bench.wrk(f"{name}-warm", server, script, [str(bench.seed_file)], 3, False)
                servers[label, cache] = server
                print(f"{name}: up on port {port}", flush=True)
        floor = bench.start_floor(1169)
        bench.wrk("floor-warm", floor, "plain.lua", ["/floor"], 3, False)
        salt = 0
        for round_ in range(options.rounds):
            order = list(trees) if round_ % 2 == 0 else list(reversed(trees))
            jobs = [("floor", None, "floor", floor, "plain.lua", ["/floor"])]
            for cache in caches:
                for page in pages:
                    script, views = PAGES[page]
                    for label in order:
                        salt = salt % 31 + 1
                        args = [str(bench.seed_file), "64", str(salt)] if views else []
                        jobs.append(
                            (
                                label,
                                cache,
                                page,
                                servers[label, cache],
                                script,
                                args or [str(bench.seed_file)],
                            )
                        )
            for label, cache, page, server, script, args in jobs:
                pid = runner.serving_pid(server.process.pid, server.port)
                ticks = runner.cpu_ticks(pid)
                found = bench.wrk(f"{label}-{page}", server, script, args, options.seconds)
                runner.wait_drained(pid, server.port)
                cpu_us = 1e6 * (runner.cpu_ticks(pid) - ticks) / runner.TICKS_PER_SECOND
                cpu_us /= max(1, int(found["requests"]))
                spread = found["p99_us"] / max(1, found["p50_us"])
                key = (label, "on" if cache else ("off" if cache is not None else "—"), page)
                results.setdefault(key, []).append((cpu_us, spread))
                print(
                    f"round {round_ + 1} {label:6} cache {key[1]:3} {page:8} "
                    f"{cpu_us:7.0f} µs/request  p99/p50 {spread:4.1f}  "
                    f"{found['requests'] / (found['duration_us'] / 1e6):7.0f} req/s  "
                    f"max {found['max_us'] / 1000:6.0f} ms  errors "
                    f"{found['non_2xx'] + found['timeouts'] + found['read_errors']}",
                    flush=True,
                )
        floor_cpu = statistics.median(c for c, _ in results["floor", "—", "floor"])
        print(f"\nmedians of {options.rounds} rounds (floor {floor_cpu:.0f} µs/request):")
        for cache in caches:
            for page in pages:
                cells = []
                for label in trees:
                    runs = results[label, "on" if cache else "off", page]
                    cpu = statistics.median(c for c, _ in runs)
                    spread = statistics.median(s for _, s in runs)
                    multiple = cpu / floor_cpu
                    cells.append(f"{label} {cpu:6.0f} µs ({multiple:4.2f}×, p99/p50 {spread:.1f})")
                print(f"  {page:8} cache {'on ' if cache else 'off'}: " + " → ".join(cells))
    finally:
        bench.processes.stop_all()
        runner.drop_database()
        runner.redis_client().flushdb()


if __name__ == "__main__":
    main()
