"""The whole benchmark in one command (``bench/run`` runs this with the project's .venv).

    bench/run               # the full run, about 8 minutes
    bench/run --quick       # every step, with short durations: a smoke run
    bench/run --scale 10    # ten times the original's club

It creates the database ``wap_bench`` (dropped first if it exists, dropped again at the end),
empties Redis database 14, migrates, seeds (bench/seed.py), and then, with the service pinned
to core 0 and the load generators to core 1:

1. serves the service with the read cache on and runs the original scenario (Locust, 80
   users, 60 s), then wrk saturation on team detail and on profile;
2. serves it again with ``WAP_READ_CACHE=off`` and runs the same two wrk saturations;
3. serves the floor (bench/floor.py: Litestar on uvicorn, one constant GET of a team
   detail's size) and saturates it before steps 1 and 2 and again after them (the two
   together show whether the machine's speed drifted), runs the original scenario's pace
   against it (Locust ``FloorUser``), then saturates its two ceilings: the same answer
   after one Redis ``GET``, and after one MariaDB ``SELECT``, each made with the service's
   own client;
4. checks after every team detail run that ``wap jobs run flush_views`` adds exactly the
   distinct (team, viewer) pairs that run sent to the stored view counts.

It writes the figures into docs/performance.md between ``<!-- bench:begin -->`` and
``<!-- bench:end -->``; the rest of that file is hand-written and survives. Everything it
starts is stopped at the end, on failure too.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import io
import json
import os
import platform
import re
import secrets
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any
from zoneinfo import ZoneInfo

import pymysql  # type: ignore[import-untyped]
import redis

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BENCH = ROOT / "bench"
DOC = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"

MYSQL_HOST, MYSQL_PORT, MYSQL_USER = "127.0.0.1", 3306, "root"
DATABASE = "wap_bench"
DATABASE_URL = f"mysql+aiomysql://{MYSQL_USER}@{MYSQL_HOST}:{MYSQL_PORT}/{DATABASE}"
# WAP_BENCH_REDIS_URL: another Redis database when 14 is taken (it is emptied).
REDIS_URL = os.environ.get("WAP_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
SERVER_CORE, LOAD_CORE = "0", "1"
KST = ZoneInfo("Asia/Seoul")

# The original scenario's target (issue 19): its p99 at most this many times the floor's p99
# at the same pace (Locust's FloorUser). The first pass's fixed p99 ≤ 5 ms, mean ≤ 2 ms and
# floor shares (60 % cached, 25 % uncached) are withdrawn; the shares are still reported.
ORIGINAL_P99_OVER_FLOOR = 3.0

# The floor app's runs: the floor itself, and the least round trip each kind of page needs.
FLOOR, FLOOR_REDIS, FLOOR_SQL = "floor", "floor + one Redis GET", "floor + one MariaDB SELECT"
FLOOR_FIRST = "floor (first)"  # the floor again, before the service's runs: the machine's drift
FLOOR_DRIFT_LIMIT = 10.0  # % between the two floor runs beyond which shares are unreliable
FLOOR_PATHS = {FLOOR: "/floor", FLOOR_REDIS: "/floor/redis", FLOOR_SQL: "/floor/sql"}
# (page run, the ceiling run, what SPEC makes that page do at least)
CEILINGS = (
    ("detail, cache on", FLOOR_REDIS, "a Redis round trip: its view's `SADD` (SPEC §1)"),
    ("profile, cache on", FLOOR_REDIS, "a Redis round trip: the cache read (SPEC §1)"),
    ("detail, cache off", FLOOR_SQL, "a MariaDB round trip: the team's row"),
    ("profile, cache off", FLOOR_SQL, "a MariaDB round trip: the member's row"),
)
RSS_LIMIT_MIB = 150.0
# Issue 19's targets: the server's CPU time per request as a multiple of the floor's (taken in
# the same run), and the spread of the saturation runs' latencies.
CACHED_CPU_MULTIPLE, UNCACHED_CPU_MULTIPLE, P99_OVER_P50 = 2.5, 8.0, 3.0
TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


class BenchError(RuntimeError):
    """A step failed: the message says which and where its log is."""


@dataclass(frozen=True)
class Durations:
    original: int  # the Locust scenario, seconds
    saturation: int  # each wrk run
    warmup: int  # each wrk warm-up

    @classmethod
    def of(cls, quick: bool) -> Durations:
        return cls(10, 5, 2) if quick else cls(60, 30, 5)


@dataclass
class Run:
    """One measured run: what it hit and what came back."""

    name: str
    server: str  # the Server's name: "service-cached", "service-uncached", "floor"
    endpoint: str
    rps: float
    mean_ms: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    requests: int
    rss_mib: float | None = None
    hit_rate: float | None = None
    floor_share: float | None = None
    others_on_core: float | None = None  # % of the server's core that other processes used
    cpu_us: float | None = None  # the server's CPU time (user + system) per request served
    floor_cpu_multiple: float | None = None  # cpu_us over the floor's (mean of its two runs)
    command: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class ViewCheck:
    run: str
    pairs_sent: int
    all_pairs_sent: bool
    flushed: int
    stored_before: int
    stored_after: int
    note: str = ""

    @property
    def stored_delta(self) -> int:
        return self.stored_after - self.stored_before

    @property
    def ok(self) -> bool:
        return not self.note and self.flushed == self.pairs_sent == self.stored_delta


@dataclass
class Report:
    started: datetime
    argv: list[str]
    scale: float
    durations: Durations
    threads: int = 2
    connections: int = 64
    seed_rows: dict[str, int] = field(default_factory=dict)
    machine: dict[str, str] = field(default_factory=dict)
    commands: list[str] = field(default_factory=list)
    original: dict[str, Run] = field(default_factory=dict)  # endpoint or "all" → figures
    original_floor: Run | None = None  # the floor app at the original scenario's pace
    floor_rps: float | None = None  # the mean of the first and the last floor run
    floor_drift: float | None = None  # % between them
    floor_cpu_us: float | None = None  # the floor's CPU per request, mean of its two runs
    runs: list[Run] = field(default_factory=list)
    views: list[ViewCheck] = field(default_factory=list)
    sizes: dict[str, int] = field(default_factory=dict)
    serving: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0

    def by_name(self) -> dict[str, Run]:
        return {run.name: run for run in self.runs}


# Processes ---------------------------------------------------------------------------------


class Processes:
    """Starts every child in a process group of its own and stops them all, whatever happens."""

    def __init__(self, logs: Path) -> None:
        self._logs = logs
        self._started: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, command: Sequence[str], env: Mapping[str, str]) -> Server:
        log = self._logs / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                list(command),
                env=dict(env),
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self._started.append(process)
        return Server(name, process, log)

    def run(self, name: str, command: Sequence[str], env: Mapping[str, str], timeout: float) -> str:
        """Run to the end; returns what it printed. Non-zero exits are the caller's to judge."""
        server = self.start(name, command, env)
        try:
            server.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise BenchError(f"{name} ran past {timeout:.0f} s; see {server.log}") from None
        finally:
            self.stop(server.process)
        return server.log.read_text(errors="replace")

    def stop(self, process: subprocess.Popen[bytes], grace: float = 10.0) -> None:
        if process.poll() is None:
            _signal_group(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                _signal_group(process.pid, signal.SIGKILL)
                process.wait(timeout=grace)
        # Children that outlived their leader (none expected) go with the group.
        _signal_group(process.pid, signal.SIGKILL)
        if process in self._started:
            self._started.remove(process)

    def stop_all(self) -> None:
        for process in reversed(list(self._started)):
            self.stop(process)


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    log: Path
    port: int = 0

    def tail(self, lines: int = 20) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_ready(server: Server, path: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise BenchError(f"{server.name} exited at start; its log ends:\n{server.tail()}")
        try:
            status, _ = http_get(server.port, path)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise BenchError(f"{server.name} was not ready in {timeout:.0f} s; see {server.log}")


def http_get(port: int, path: str, headers: Mapping[str, str] | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=dict(headers or {}))
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def read_all(port: int, paths: Sequence[str]) -> list[int]:
    """GET each path once over one keep-alive connection; returns the body sizes."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    sizes = []
    try:
        for path in paths:
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                raise BenchError(f"GET {path} answered {response.status}: {body[:300]!r}")
            sizes.append(len(body))
    finally:
        connection.close()
    return sizes


def serving_pid(root_pid: int, port: int) -> int:
    """The process that owns the listening socket: the one that serves (and whose RSS counts).

    ``wap serve --workers 1`` runs uvicorn's server in its own process (uvicorn forks only
    for ``--workers`` > 1 or ``--reload``); this looks rather than assumes."""
    inodes = {
        f"socket:[{entry[9]}]"
        for entry in _tcp_entries()
        if entry[3] == "0A" and _port(entry[1]) == port  # 0A: LISTEN
    }
    for pid in [root_pid, *descendants(root_pid)]:
        try:
            fds = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(fd) in inodes:
                    return pid
            except OSError:
                continue
    raise BenchError(f"no process of group {root_pid} listens on port {port}")


def _tcp_entries() -> Iterator[list[str]]:
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            yield line.split()


def _port(address: str) -> int:
    return int(address.rsplit(":", 1)[1], 16)


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def wait_drained(pid: int, port: int, timeout: float = 120.0) -> None:
    """Wait until the server has finished every request it was sent.

    When wrk stops, the requests still in flight (one per connection) are in the server's
    hands and may take a while under saturation; their views count too. Drained means: no
    client connection open (established, or closed by the client but not yet by the server)
    and the process idle (under 20 ms of CPU in half a second)."""
    deadline = time.monotonic() + timeout
    ticks, idle_since = cpu_ticks(pid), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now_ticks = cpu_ticks(pid)
        if now_ticks - ticks > 1:
            ticks, idle_since = now_ticks, time.monotonic()
        connected = any(
            _port(entry[1]) == port and entry[3] in ("01", "08") for entry in _tcp_entries()
        )
        if connected:
            idle_since = time.monotonic()
        elif time.monotonic() - idle_since >= 0.5:
            return
    raise BenchError(f"the server on port {port} was still busy {timeout:.0f} s after the run")


def core_ticks(core: str) -> tuple[int, int]:
    """(busy, total) clock ticks of one core since boot, from /proc/stat. Interrupt time is
    left out of busy: it is mostly the loopback traffic of the run itself, which the kernel
    does not charge to the server process."""
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith(f"cpu{core} "):
            user, nice, system, idle, iowait, irq, softirq, steal = map(int, line.split()[1:9])
            busy = user + nice + system + steal
            return busy, busy + idle + iowait + irq + softirq
    raise BenchError(f"no cpu{core} in /proc/stat")


class CoreShare:
    """How much of the server's core other processes took while a run went on: the runs are
    only as good as the core was free."""

    def __init__(self, pid: int) -> None:
        self._pid = pid
        self._busy, self._total = core_ticks(SERVER_CORE)
        self._own = cpu_ticks(pid)

    def others(self) -> float:
        busy, total = core_ticks(SERVER_CORE)
        own = cpu_ticks(self._pid) - self._own
        elapsed = max(total - self._total, 1)
        return max(0.0, 100 * (busy - self._busy - own) / elapsed)


def descendants(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
        for child in children:
            found += [child, *descendants(child)]
    return found


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise BenchError(f"no VmRSS for pid {pid}")


# Stores ------------------------------------------------------------------------------------


def mysql(database: str | None = None) -> Any:
    return pymysql.connect(
        host=MYSQL_HOST,
        port=MYSQL_PORT,
        user=MYSQL_USER,
        database=database,
        autocommit=True,
        charset="utf8mb4",
    )


def mysql_query(sql: str, database: str | None = None) -> Any:
    connection = mysql(database)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            row = cursor.fetchone()
            return row[0] if row else None
    finally:
        connection.close()


def create_database() -> None:
    mysql_query(f"DROP DATABASE IF EXISTS `{DATABASE}`")
    mysql_query(f"CREATE DATABASE `{DATABASE}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")


def drop_database() -> None:
    mysql_query(f"DROP DATABASE IF EXISTS `{DATABASE}`")


def stored_views() -> int:
    return int(mysql_query("SELECT COALESCE(SUM(view_count), 0) FROM teams", DATABASE))


def redis_client() -> redis.Redis:
    return redis.Redis.from_url(REDIS_URL, socket_timeout=10)


def reset_redis_stats() -> None:
    redis_client().config_resetstat()


def redis_hit_rate() -> float | None:
    """Server-wide keyspace hits / (hits + misses) since the last CONFIG RESETSTAT."""
    stats = redis_client().info("stats")
    hits, misses = int(stats["keyspace_hits"]), int(stats["keyspace_misses"])
    return 100 * hits / (hits + misses) if hits + misses else None


# The service -------------------------------------------------------------------------------


def service_env(read_cache: bool, media: Path, secret_key: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAP_")}
    env.update(
        {
            "WAP_DATABASE_URL": DATABASE_URL,
            "WAP_REDIS_URL": REDIS_URL,
            "WAP_SECRET_KEY": secret_key,
            "WAP_TRUSTED_PROXIES": "127.0.0.1",
            "WAP_MEDIA_DIR": str(media),
            "WAP_READ_CACHE": "on" if read_cache else "off",
        }
    )
    return env


class Bench:
    def __init__(self, options: argparse.Namespace, scratch: Path, report: Report) -> None:
        self.options = options
        self.scratch = scratch
        self.report = report
        self.durations = report.durations
        self.processes = Processes(scratch)
        self.seed_file = scratch / "seed.json"
        self.secret_key = secrets.token_urlsafe(48)
        self.env = service_env(True, scratch / "media", self.secret_key)
        self.member_ids: list[int] = []
        self.team_ids: list[int] = []
        self.salt = 0

    def say(self, message: str) -> None:
        elapsed = (datetime.now(UTC) - self.report.started).total_seconds()
        print(f"[bench {elapsed:5.0f}s] {message}", flush=True)

    def shown(self, command: Sequence[str]) -> str:
        text = shlex.join(command).replace(str(self.scratch), "$RUN").replace(str(ROOT) + "/", "")
        return re.sub(r"WAP_SECRET_KEY=\S+", "WAP_SECRET_KEY=…", text)

    # Set-up

    def prepare(self) -> None:
        self.say(f"database {DATABASE}: create; Redis {REDIS_URL}: flush")
        create_database()
        redis_client().flushdb()
        wap = str(BIN / "wap")
        self.processes.run("migrate", [wap, "migrate"], self.env, timeout=120)
        self.report.commands.append(f"WAP_DATABASE_URL=… {self.shown([wap, 'migrate'])}")
        seed = [
            str(BIN / "python"),
            str(BENCH / "seed.py"),
            "--scale",
            str(self.options.scale),
            "--out",
            str(self.seed_file),
        ]
        self.say(f"seed at scale {self.options.scale}")
        output = self.processes.run("seed", seed, self.env, timeout=600)
        if not self.seed_file.exists():
            raise BenchError(f"the seeder wrote no ids:\n{output}")
        self.report.commands.append(f"WAP_DATABASE_URL=… {self.shown(seed)}")
        seeded = json.loads(self.seed_file.read_text())
        self.member_ids, self.team_ids = seeded["member_ids"], seeded["team_ids"]
        self.report.seed_rows = seeded["rows"]

    def flush_views(self) -> int:
        output = self.processes.run(
            "flush_views", [str(BIN / "wap"), "jobs", "run", "flush_views"], self.env, 120
        )
        match = re.search(r"^flushed (\d+) views", output, re.MULTILINE)
        if match is None:
            raise BenchError(f"wap jobs run flush_views said:\n{output}")
        return int(match[1])

    # Servers

    def start_service(self, read_cache: bool) -> Server:
        name = "service-cached" if read_cache else "service-uncached"
        self.env = service_env(read_cache, self.scratch / "media", self.secret_key)
        port = free_port()
        command = [
            "taskset",
            "-c",
            SERVER_CORE,
            str(BIN / "wap"),
            "serve",
            "--workers",
            "1",
            "--port",
            str(port),
        ]
        self.say(f"start {name} on port {port} (core {SERVER_CORE})")
        server = self.processes.start(name, command, self.env)
        server.port = port
        wait_until_ready(server, "/readyz")
        cache = "on" if read_cache else "off"
        self.report.commands.append(
            f"WAP_READ_CACHE={cache} WAP_TRUSTED_PROXIES=127.0.0.1 … {self.shown(command)}"
        )
        self.note_serving(server)
        return server

    def start_floor(self, body_bytes: int) -> Server:
        port = free_port()
        command = [
            "taskset",
            "-c",
            SERVER_CORE,
            str(BIN / "python"),
            str(BENCH / "floor.py"),
            "--port",
            str(port),
            "--body-bytes",
            str(body_bytes),
            "--redis-url",
            REDIS_URL,
            "--database-url",
            DATABASE_URL,
        ]
        self.say(f"start the floor on port {port} (core {SERVER_CORE}), {body_bytes} B body")
        server = self.processes.start("floor", command, os.environ)
        server.port = port
        wait_until_ready(server, "/floor")
        for path in FLOOR_PATHS.values():
            status, body = http_get(port, path)
            if status != 200 or len(body) != body_bytes:
                raise BenchError(f"the floor's {path} answered {status} with {len(body)} B")
        self.report.commands.append(self.shown(command))
        self.note_serving(server)
        return server

    def note_serving(self, server: Server) -> None:
        pid = serving_pid(server.process.pid, server.port)
        children = descendants(server.process.pid)
        how = (
            "the started process itself"
            if pid == server.process.pid
            else f"a child of the started process {server.process.pid}"
        )
        self.report.serving.append(
            f"{server.name}: pid {pid} listens ({how}); child processes: {len(children)}"
        )

    # Load

    def wrk(
        self,
        name: str,
        server: Server,
        script: str,
        args: Sequence[str],
        seconds: int,
        measured: bool = True,
    ) -> dict[str, Any]:
        command = [
            "taskset",
            "-c",
            LOAD_CORE,
            "wrk",
            f"-t{self.options.threads}",
            f"-c{self.options.connections}",
            f"-d{seconds}s",
            "--timeout",
            "5s",
            "-s",
            str(BENCH / "wrk" / script),
            f"http://127.0.0.1:{server.port}",
            "--",
            *args,
        ]
        output = self.processes.run(name, command, os.environ, timeout=seconds + 60)
        match = re.search(r"^BENCH_JSON (\{.*\})$", output, re.MULTILINE)
        if match is None:
            raise BenchError(f"wrk printed no result for {name}:\n{output[-2000:]}")
        result: dict[str, Any] = json.loads(match[1])
        if measured:
            result["command"] = self.shown(command)
        return result

    def saturate(
        self,
        name: str,
        server: Server,
        endpoint: str,
        script: str,
        args: Sequence[str],
    ) -> Run:
        self.say(f"{name}: wrk {self.durations.saturation} s")
        pid = serving_pid(server.process.pid, server.port)
        reset_redis_stats()
        share = CoreShare(pid)
        ticks = cpu_ticks(pid)
        result = self.wrk(name, server, script, args, self.durations.saturation)
        others = share.others()
        rss = rss_mib(pid)
        wait_drained(pid, server.port)
        # Every request sent is served by the time the server drains (its views count too),
        # so the CPU it took up to then is divided by wrk's requests plus those in flight
        # when wrk stopped (at most one per connection: a bound of under 0.5 % at 30 s).
        spent_s = (cpu_ticks(pid) - ticks) / TICKS_PER_SECOND
        seconds = result["duration_us"] / 1e6
        run = Run(
            name=name,
            server=server.name,
            endpoint=endpoint,
            rps=result["requests"] / seconds,
            mean_ms=result["mean_us"] / 1000,
            p50_ms=result["p50_us"] / 1000,
            p95_ms=result["p95_us"] / 1000,
            p99_ms=result["p99_us"] / 1000,
            max_ms=result["max_us"] / 1000,
            errors=int(
                result["non_2xx"]
                + result["connect_errors"]
                + result["read_errors"]
                + result["write_errors"]
                + result["timeouts"]
            ),
            requests=int(result["requests"]),
            rss_mib=rss,
            hit_rate=redis_hit_rate(),
            others_on_core=others,
            cpu_us=1e6 * spent_s / max(1, int(result["requests"])),
            command=str(result["command"]),
            extra=result,
        )
        self.report.runs.append(run)
        self.say(
            f"{name}: {run.rps:.0f} req/s, CPU {fmt(run.cpu_us, 0)} µs/request, "
            f"p99 {run.p99_ms:.1f} ms, errors {run.errors}, "
            f"RSS {run.rss_mib:.0f} MiB; others used {others:.0f}% of core {SERVER_CORE}"
        )
        return run

    def viewers_for(self, warm_rps: float) -> int:
        """V such that each thread sends its T×V requests in about half the run (at the
        warm-up's pace), so that every pair is sent even if the run goes slower."""
        per_thread = warm_rps * self.durations.saturation / self.options.threads
        return max(1, min(4096, int(0.5 * per_thread / len(self.team_ids))))

    def team_detail_with_views(self, name: str, server: Server, warm_rps: float) -> Run:
        """A saturation run on team detail whose counted views are checked afterwards."""
        self.salt += 1
        viewers = self.viewers_for(warm_rps)
        # Anything pending (the warm-up's own views) goes in first: the run starts from a
        # stored count with nothing pending.
        self.flush_views()
        before, day = stored_views(), datetime.now(KST).date()
        run = self.saturate(
            name,
            server,
            "GET /api/v1/teams/{id}",
            "team_detail.lua",
            [str(self.seed_file), str(viewers), str(self.salt)],
        )
        flushed = self.flush_views()
        after = stored_views()
        note = ""
        if datetime.now(KST).date() != day:
            note = "not checked: midnight in Seoul passed during the run (new view windows)"
        check = ViewCheck(
            run=name,
            pairs_sent=int(run.extra["distinct_pairs"]),
            all_pairs_sent=run.extra["all_pairs_sent"] is True,
            flushed=flushed,
            stored_before=before,
            stored_after=after,
            note=note,
        )
        self.report.views.append(check)
        self.say(
            f"{name}: views sent {check.pairs_sent} (T={len(self.team_ids)} × V={viewers}), "
            f"flushed {flushed}, stored +{check.stored_delta}: "
            + ("ok" if check.ok else "MISMATCH " + note)
        )
        return run

    def warm_up(self, server: Server) -> float:
        """Python's caches, the pools, the read cache; returns the warm-up's detail req/s."""
        seconds = self.durations.warmup
        detail = self.wrk(
            f"{server.name}-warm-detail",
            server,
            "team_detail.lua",
            [str(self.seed_file), "0"],
            seconds,
            measured=False,
        )
        self.wrk(
            f"{server.name}-warm-profile",
            server,
            "profile.lua",
            [str(self.seed_file)],
            seconds,
            measured=False,
        )
        wait_drained(serving_pid(server.process.pid, server.port), server.port)
        rps = float(detail["requests"]) / (float(detail["duration_us"]) / 1e6)
        self.say(f"{server.name}: warmed up ({seconds} s of each; detail {rps:.0f} req/s)")
        return rps

    def read_everything(self, server: Server) -> tuple[list[int], list[int]]:
        teams = read_all(server.port, [f"/api/v1/teams/{i}" for i in self.team_ids])
        profiles = read_all(server.port, [f"/api/v1/members/{i}" for i in self.member_ids])
        return teams, profiles

    def original(self, server: Server, user: str = "OriginalUser") -> dict[str, Run]:
        """The Locust scenario against ``server``: figures by endpoint, and "all"."""
        samples = self.scratch / f"locust-samples-{user}.json"
        seconds = self.durations.original
        command = [
            "taskset",
            "-c",
            LOAD_CORE,
            str(BIN / "locust"),
            "-f",
            str(BENCH / "locustfile.py"),
            "--headless",
            "--users",
            "80",
            "--spawn-rate",
            "80",
            "--run-time",
            f"{seconds}s",
            "--host",
            f"http://127.0.0.1:{server.port}",
            "--only-summary",
            "--loglevel",
            "WARNING",
            user,
        ]
        env = os.environ | {
            "WAP_BENCH_SEED": str(self.seed_file),
            "WAP_BENCH_SAMPLES": str(samples),
        }
        self.say(f"original scenario ({user}): Locust, 80 users, {seconds} s")
        reset_redis_stats()
        share = CoreShare(serving_pid(server.process.pid, server.port))
        self.processes.run(f"locust-{user}", command, env, timeout=seconds + 120)
        others = share.others()
        if not samples.exists():
            raise BenchError(f"Locust wrote no samples; see {self.scratch / f'locust-{user}.log'}")
        self.report.commands.append(
            f"WAP_BENCH_SEED=$RUN/seed.json WAP_BENCH_SAMPLES=$RUN/{samples.name} "
            + self.shown(command)
        )
        data = json.loads(samples.read_text())
        span = max(data["stopped"] - data["started"], 1e-9)
        rss = rss_mib(serving_pid(server.process.pid, server.port))
        hit_rate = redis_hit_rate()
        figures: dict[str, Run] = {}
        groups: dict[str, list[dict[str, Any]]] = {"all": data["requests"]}
        for sample in data["requests"]:
            groups.setdefault("GET " + sample["name"], []).append(sample)
        for key, samples_of in groups.items():
            times = sorted(float(s["ms"]) for s in samples_of)
            if not times:
                continue
            figures[key] = Run(
                name="original",
                server=server.name,
                endpoint=key,
                rps=len(times) / span,
                mean_ms=statistics.fmean(times),
                p50_ms=percentile(times, 50),
                p95_ms=percentile(times, 95),
                p99_ms=percentile(times, 99),
                max_ms=times[-1],
                errors=sum(1 for s in samples_of if not s["ok"]),
                requests=len(times),
                rss_mib=rss,
                hit_rate=hit_rate,
                others_on_core=others,
            )
        everything = figures["all"]
        self.say(
            f"original ({user}): {everything.requests} requests, mean {everything.mean_ms:.2f} "
            f"ms, p99 {everything.p99_ms:.2f} ms, errors {everything.errors}"
        )
        return figures

    # The whole thing

    def run(self) -> None:
        self.prepare()
        profile_args = [str(self.seed_file)]

        cached = self.start_service(read_cache=True)
        # Every page once (each team counts one view for 127.0.0.1), flush those views, then
        # read every page again: the cache holds them all and nothing is pending.
        team_sizes, profile_sizes = self.read_everything(cached)
        self.flush_views()
        self.read_everything(cached)
        self.report.sizes = {
            "team detail (median)": int(statistics.median(team_sizes)),
            "team detail (min)": min(team_sizes),
            "team detail (max)": max(team_sizes),
            "profile (median)": int(statistics.median(profile_sizes)),
        }
        # The floor first as well as last: if the machine's speed drifts during the run (a
        # shared host), the two disagree and the report says the shares are unreliable.
        floor = self.start_floor(self.report.sizes["team detail (median)"])
        self.wrk("floor-warm", floor, "plain.lua", ["/floor"], self.durations.warmup, False)
        first = self.saturate(FLOOR_FIRST, floor, "GET /floor", "plain.lua", ["/floor"])
        first.hit_rate = None

        warm_rps = self.warm_up(cached)
        self.report.original = self.original(cached)
        self.team_detail_with_views("detail, cache on", cached, warm_rps)
        self.saturate(
            "profile, cache on", cached, "GET /api/v1/members/{id}", "profile.lua", profile_args
        )
        self.processes.stop(cached.process)

        uncached = self.start_service(read_cache=False)
        self.read_everything(uncached)
        warm_rps = self.warm_up(uncached)
        self.team_detail_with_views("detail, cache off", uncached, warm_rps)
        self.saturate(
            "profile, cache off",
            uncached,
            "GET /api/v1/members/{id}",
            "profile.lua",
            profile_args,
        )
        self.processes.stop(uncached.process)

        self.report.original_floor = self.original(floor, "FloorUser")["all"]
        for name, path in FLOOR_PATHS.items():
            self.wrk(f"{name}-warm", floor, "plain.lua", [path], self.durations.warmup, False)
            run = self.saturate(name, floor, f"GET {path}", "plain.lua", [path])
            if name != FLOOR_REDIS:
                run.hit_rate = None  # touches no Redis
        last = self.report.by_name()[FLOOR]
        self.processes.stop(floor.process)
        floor_rps = (first.rps + last.rps) / 2
        self.report.floor_rps = floor_rps
        self.report.floor_drift = 100 * abs(first.rps - last.rps) / floor_rps if floor_rps else None
        floor_cpu = [r.cpu_us for r in (first, last) if r.cpu_us]
        self.report.floor_cpu_us = statistics.mean(floor_cpu) if floor_cpu else None
        for run in self.report.runs:
            run.floor_share = 100 * run.rps / floor_rps if floor_rps else None
            if run.cpu_us is not None and self.report.floor_cpu_us:
                run.floor_cpu_multiple = run.cpu_us / self.report.floor_cpu_us
        self.say(
            f"floor: {first.rps:.0f} req/s first, {last.rps:.0f} last "
            f"(drift {fmt(self.report.floor_drift, 1, '%')})"
        )


def percentile(sorted_values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    rank = max(1, min(len(sorted_values), round(pct / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


# The machine -------------------------------------------------------------------------------


def command_output(command: Sequence[str]) -> str:
    try:
        done = subprocess.run(
            list(command), capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return (done.stdout or done.stderr).strip()


def describe_machine() -> dict[str, str]:
    cpu = "?"
    for line in command_output(["lscpu"]).splitlines():
        if line.startswith("Model name:"):
            cpu = line.split(":", 1)[1].strip()
    memory = "?"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    wrk = command_output(["wrk", "--version"]).splitlines()
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "kernel": platform.release(),
        "Python": platform.python_version(),
        "MariaDB": str(mysql_query("SELECT VERSION()")),
        "Redis": str(redis_client().info("server")["redis_version"]),
        "wrk": wrk[0] if wrk else "?",
        "locust": command_output([str(BIN / "locust"), "--version"]).split(" from ")[0],
        "uvicorn, Litestar": command_output(
            [
                str(BIN / "python"),
                "-c",
                "import importlib.metadata as m; "
                "print(m.version('uvicorn'), m.version('litestar'))",
            ]
        ),
    }


# The report --------------------------------------------------------------------------------


def fmt(value: float | None, digits: int = 1, suffix: str = "") -> str:
    return "—" if value is None else f"{value:,.{digits}f}{suffix}"


def verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def targets(report: Report) -> list[tuple[str, str, bool]]:
    """(target, measured, met) for each target of the issue."""
    rows: list[tuple[str, str, bool]] = []
    original = report.original.get("all")
    if original:
        rows.append(("original scenario: 0 errors", str(original.errors), original.errors == 0))
        floor = report.original_floor
        if floor is not None and floor.p99_ms:
            rows.append(
                (
                    f"original scenario: p99 ≤ {ORIGINAL_P99_OVER_FLOOR:g}× the floor's p99 "
                    "at the same pace",
                    f"{original.p99_ms / floor.p99_ms:.1f}× ({original.p99_ms:.2f} ms against "
                    f"{floor.p99_ms:.2f} ms)",
                    original.p99_ms <= ORIGINAL_P99_OVER_FLOOR * floor.p99_ms,
                )
            )
    by_name = report.by_name()
    for name, multiple in (
        ("detail, cache on", CACHED_CPU_MULTIPLE),
        ("profile, cache on", CACHED_CPU_MULTIPLE),
        ("detail, cache off", UNCACHED_CPU_MULTIPLE),
        ("profile, cache off", UNCACHED_CPU_MULTIPLE),
    ):
        run = by_name.get(name)
        if run is not None and run.floor_cpu_multiple is not None:
            rows.append(
                (
                    f"{name}: CPU per request ≤ {multiple:g}× the floor's",
                    f"{run.floor_cpu_multiple:.2f}× ({fmt(run.cpu_us, 0)} µs)",
                    run.floor_cpu_multiple <= multiple,
                )
            )
    pages = [r for r in report.runs if r.server != FLOOR and r.p50_ms]
    if pages:
        worst = max(pages, key=lambda r: r.p99_ms / r.p50_ms)
        rows.append(
            (
                f"saturation: p99 ≤ {P99_OVER_P50:g}× p50 on every page",
                f"{worst.p99_ms / worst.p50_ms:.1f}× (largest: {worst.name})",
                worst.p99_ms / worst.p50_ms <= P99_OVER_P50,
            )
        )
    service_rss = [r.rss_mib for r in report.runs if r.server != FLOOR and r.rss_mib]
    if service_rss:
        rows.append(
            (
                f"RSS after saturation ≤ {RSS_LIMIT_MIB:g} MiB",
                f"{max(service_rss):.0f} MiB (largest)",
                max(service_rss) <= RSS_LIMIT_MIB,
            )
        )
    if report.views:
        counted = all(v.ok for v in report.views)
        measured = ", ".join(f"{v.stored_delta}/{v.pairs_sent}" for v in report.views)
        rows.append(("views all counted (stored +N / pairs sent)", measured, counted))
    return rows


def latency_cells(run: Run) -> list[str]:
    """mean, p50, p95, p99, max and errors: the columns every results table shares."""
    return [
        fmt(run.mean_ms, 2, " ms"),
        fmt(run.p50_ms, 2, " ms"),
        fmt(run.p95_ms, 2, " ms"),
        fmt(run.p99_ms, 2, " ms"),
        fmt(run.max_ms, 1, " ms"),
        str(run.errors),
    ]


def _multiple(run: Run) -> str:
    if run.cpu_us is None or run.floor_cpu_multiple is None:
        return "—"
    return f"{fmt(run.cpu_us, 0)} µs, {run.floor_cpu_multiple:.2f}×"


def ceilings(report: Report) -> list[list[str]]:
    """Each page beside the least that a page making its round trip can cost: in CPU per
    request (issue 19's measure) and in throughput."""
    by_name = report.by_name()
    rows = []
    for page, bound, why in CEILINGS:
        run, ceiling = by_name.get(page), by_name.get(bound)
        if run is None or ceiling is None or not ceiling.rps:
            continue
        rows.append(
            [
                page,
                why,
                f"{bound}: {_multiple(ceiling)}",
                _multiple(run),
                f"{bound}: {fmt(ceiling.rps, 0)} req/s, {fmt(ceiling.floor_share, 1, '%')}",
                f"{fmt(run.floor_share, 1, '%')}",
                f"{100 * run.rps / ceiling.rps:.0f}%",
            ]
        )
    return rows


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def render(report: Report) -> str:
    out = io.StringIO()
    write = out.write
    d = report.durations
    invocation = shlex.join(["bench/run", *report.argv])
    write(
        f"Last run: {report.started:%Y-%m-%d %H:%M} UTC, `{invocation}`"
        f" ({report.elapsed_s / 60:.1f} min). Scale {report.scale:g}: "
        + ", ".join(f"{n} {t}" for t, n in report.seed_rows.items())
        + f". Original scenario {d.original} s; each saturation run {d.saturation} s after a "
        f"{d.warmup} s warm-up.\n\n"
    )
    write("### Targets\n\n")
    write(table(["target", "measured", ""], [[t, m, verdict(ok)] for t, m, ok in targets(report)]))
    bounds = ceilings(report)
    if bounds:
        write(
            "\n\n### Ceilings: the floor after the one round trip each page cannot skip\n\n"
            "The floor app answers the same body after one round trip made with the service's "
            "own Redis client or database engine and nothing else (`bench/floor.py`); no page "
            "that makes that round trip on its own can cost less CPU per request, or serve "
            "more requests per second, than it.\n\n"
        )
        write(
            table(
                [
                    "page",
                    "needs at least",
                    "its ceiling: CPU per request (× the floor's)",
                    "page",
                    "its ceiling: req/s (% of the floor)",
                    "page",
                    "page / ceiling (req/s)",
                ],
                bounds,
            )
        )
    write("\n\n### The original scenario (Locust, 80 users, wait 1.5–2 s)\n\n")
    write(
        table(
            [
                "endpoint",
                "requests",
                "req/s",
                "mean",
                "p50",
                "p95",
                "p99",
                "max",
                "errors",
            ],
            [
                [
                    key,
                    str(r.requests),
                    fmt(r.rps, 1),
                    *latency_cells(r),
                ]
                for key, r in report.original.items()
            ],
        )
    )
    everything = report.original.get("all")
    if everything is not None:
        write(
            f"\n\nServer RSS after the run {fmt(everything.rss_mib, 0, ' MiB')}; Redis hit rate "
            f"{fmt(everything.hit_rate, 1, '%')}; other processes used "
            f"{fmt(everything.others_on_core, 0, '%')} of core {SERVER_CORE} meanwhile."
        )
    floor = report.original_floor
    if floor is not None:
        write(
            f"\n\nThe floor app at the same pace (`FloorUser`: `GET /floor`, 80 users, wait "
            f"1.5–2 s), to show what a request costs on this machine before any service work: "
            f"mean {fmt(floor.mean_ms, 2, ' ms')}, p50 {fmt(floor.p50_ms, 2, ' ms')}, p99 "
            f"{fmt(floor.p99_ms, 2, ' ms')}, {floor.errors} errors."
        )
    write(
        f"\n\n### Saturation (wrk, {report.threads} threads, {report.connections} connections)\n\n"
    )
    write(
        table(
            [
                "run",
                "req/s",
                "% of floor",
                "CPU/request",
                "× floor's CPU",
                "p99/p50",
                "mean",
                "p50",
                "p95",
                "p99",
                "max",
                "errors",
                "RSS",
                "Redis hit rate",
                f"others on core {SERVER_CORE}",
            ],
            [
                [
                    r.name,
                    fmt(r.rps, 0),
                    fmt(r.floor_share, 1, "%"),
                    fmt(r.cpu_us, 0, " µs"),
                    fmt(r.floor_cpu_multiple, 2, "×"),
                    fmt(r.p99_ms / r.p50_ms if r.p50_ms else None, 1, "×"),
                    *latency_cells(r),
                    fmt(r.rss_mib, 0, " MiB"),
                    fmt(r.hit_rate, 1, "%"),
                    fmt(r.others_on_core, 0, "%"),
                ]
                for r in report.runs
            ],
        )
    )
    write("\n\n### View counting\n\n")
    write(
        table(
            [
                "run",
                "distinct (team, viewer) pairs sent",
                "every pair sent",
                "flushed",
                "stored view_count +",
                "result",
            ],
            [
                [
                    v.run,
                    str(v.pairs_sent),
                    "yes" if v.all_pairs_sent else "no (pairs = longest thread's requests)",
                    str(v.flushed),
                    str(v.stored_delta),
                    "ok" if v.ok else f"**mismatch** {v.note}",
                ]
                for v in report.views
            ],
        )
    )
    write("\n\n### Notes on this run\n\n")
    sizes = ", ".join(f"{k} {v} B" for k, v in report.sizes.items())
    write(f"- Response bodies: {sizes}; the floor answers the median team detail's size.\n")
    by_name = report.by_name()
    if FLOOR_FIRST in by_name and FLOOR in by_name:
        write(
            f"- The floor ran first and last: {fmt(by_name[FLOOR_FIRST].rps, 0)} and "
            f"{fmt(by_name[FLOOR].rps, 0)} req/s, {fmt(report.floor_drift, 1, '%')} apart; "
            f"every *% of floor* is of their mean, {fmt(report.floor_rps, 0)} req/s. More than "
            f"{FLOOR_DRIFT_LIMIT:g}% apart means the machine's speed changed during the run "
            "(a shared host), and the shares are then marked unreliable.\n"
        )
    for line in report.serving:
        write(f"- {line}.\n")
    write(
        "- RSS is VmRSS of the process that owns the listening socket, read right after each "
        "run. The Redis hit rate is `keyspace_hits / (hits + misses)` from `INFO stats` after "
        "`CONFIG RESETSTAT` before the run: server-wide counters, so anything else using this "
        "Redis server at the time (other databases too), and the view ledger's own lookups, "
        "count in it. *Others on core 0*: roughly the share of the server's core that other "
        "processes took during the run (the core's user, system and steal time in /proc/stat, "
        "less the server's own CPU time; the kernel's network work for the run itself may "
        "show a little here too): well above 0, the server shared its core.\n"
    )
    write("\n### Machine\n\n")
    write(table(["", ""], [[k, f"`{v}`" if k != "CPU" else v] for k, v in report.machine.items()]))
    write("\n\n### Commands\n\n")
    write(
        "`$RUN` is the run's scratch directory (seed file, logs); `…` stands for the service's "
        "settings (WAP_DATABASE_URL, WAP_REDIS_URL, WAP_SECRET_KEY, WAP_TRUSTED_PROXIES, "
        "WAP_MEDIA_DIR).\n\n```sh\n"
    )
    for command in dict.fromkeys(report.commands):
        write(command + "\n")
    write(
        f"# warm-up after each server starts: the wrk commands below for {d.warmup} s (team "
        "detail with V=0: no X-Forwarded-For, so no new views)\n"
        "# before and after each team detail run, with the service's settings:\n"
        "WAP_DATABASE_URL=… WAP_REDIS_URL=… .venv/bin/wap jobs run flush_views\n"
    )
    for run in report.runs:
        write(run.command + "\n")
    write("```\n")
    return out.getvalue()


INTRO = """# Performance

How fast the service reads team pages and profiles, measured against the load test of the
club's original Django service (Locust: 80 clients reading user profiles and team detail pages
every 1.5–2 s; ~3000 ms mean without a cache, ~1000 ms with Redis) and against what Litestar on
uvicorn can do with nothing behind it (the *floor*, `bench/floor.py`).

One command reproduces everything below: `make bench` (installs Locust and wrk, then runs
`bench/run`), or `bench/run` itself; `bench/run --quick` is a smoke run of every step with short
durations, `bench/run --scale 10` seeds ten times the original's club. It needs MariaDB at
127.0.0.1:3306 (root) and Redis at 127.0.0.1:6379, and uses only the database `wap_bench` and
Redis database 14, emptying both. The service (`wap serve --workers 1`) and the floor run on
core 0, the load generators on core 1; on a machine shared with other work the figures are
indicative.

What each run is:

- **original**: `bench/locustfile.py`'s `OriginalUser`, 80 users, wait 1.5–2 s, 60 s, against
  the service with its read cache on. Each user starts with a random pause of up to 2 s, so the
  80 do not fire their first requests in the same instant. Latencies are every request's own,
  unrounded, as Locust's client (`FastHttpUser`) saw them.
- **detail / profile, cache on**: wrk saturation (`bench/wrk/team_detail.lua`,
  `bench/wrk/profile.lua`) of `GET /api/v1/teams/{id}` and `GET /api/v1/members/{id}` on
  random seeded ids, after a warm-up that leaves every page in the cache.
- **cache off**: the same against a second server started with `WAP_READ_CACHE=off`: every
  read from MariaDB.
- **floor**: the same wrk on `bench/floor.py` (`bench/wrk/plain.lua`), before the service's
  runs and again after them; shares are of the two runs' mean. And Locust's
  `FloorUser`, the original scenario's 80 users and pace on `GET /floor`, to show what a request
  costs on the machine at that rate before the service does anything.
- **floor + one Redis GET**, **floor + one MariaDB SELECT**: the floor app's `/floor/redis`
  and `/floor/sql`, the same body after one round trip through the service's own Redis client
  (`wap.adapters.redis.client`) or engine (`wap.adapters.sql.engine`, one team row by primary
  key). A cached page must make at least the first (SPEC §1: the cache is Redis, and a team
  read records its view there), an uncached one at least the second; these are their ceilings.
- **view counting**: each team detail run varies the viewer (`X-Forwarded-For`, believed from
  127.0.0.1 because the service runs with `WAP_TRUSTED_PROXIES=127.0.0.1`) so that the distinct
  (team, viewer) pairs it sends are known; `wap jobs run flush_views` must then raise the
  stored view counts by exactly that number.

"""

OPTIMISATIONS = """
## Optimisations

_To be written: what was changed for speed, and what each change bought._
"""


def write_doc(path: Path, generated: str) -> None:
    block = f"{BEGIN}\n## Results\n\n{generated.rstrip()}\n{END}"
    if path.exists():
        text = path.read_text()
        if BEGIN in text and END in text:
            head, rest = text.split(BEGIN, 1)
            _, tail = rest.split(END, 1)
            text = head + block + tail
        elif "\n## Optimisations" in text:
            head, tail = text.split("\n## Optimisations", 1)
            text = head.rstrip() + "\n\n" + block + "\n\n## Optimisations" + tail
        else:
            text = text.rstrip() + "\n\n" + block + "\n" + OPTIMISATIONS
    else:
        text = INTRO + block + "\n" + OPTIMISATIONS
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


# Entry -------------------------------------------------------------------------------------


def _terminated(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def check_tools() -> None:
    """The tools and services the run needs, each named when missing."""
    missing = [tool for tool in ("taskset", "wrk") if shutil.which(tool) is None] + [
        str(BIN / name) for name in ("wap", "locust") if not (BIN / name).exists()
    ]
    if missing:
        raise BenchError(
            "missing: " + ", ".join(missing) + " (`make bench` installs them: the bench extra "
            "into .venv, wrk with apt-get)"
        )
    if (os.cpu_count() or 1) < 2:
        raise BenchError("needs two cores: one for the server, one for the load generators")
    try:
        mysql_query("SELECT 1")
    except pymysql.MySQLError as error:
        raise BenchError(f"MariaDB at {MYSQL_HOST}:{MYSQL_PORT} ({MYSQL_USER}): {error}") from None
    try:
        redis_client().ping()
    except redis.RedisError as error:
        raise BenchError(f"Redis at {REDIS_URL}: {error}") from None


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1, help="1 = 200 members, 100 teams")
    parser.add_argument("--quick", action="store_true", help="short durations: a smoke run")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections")
    parser.add_argument("--doc", type=Path, default=DOC, help="where the results go")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    options = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminated)
    report = Report(
        started=datetime.now(UTC),
        argv=argv,
        scale=options.scale,
        durations=Durations.of(options.quick),
        threads=options.threads,
        connections=options.connections,
    )
    scratch = Path(tempfile.mkdtemp(prefix="wap-bench-"))
    bench = Bench(options, scratch, report)
    failed = True
    try:
        check_tools()
        report.machine = describe_machine()
        bench.run()
        failed = False
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
    finally:
        bench.processes.stop_all()
        try:
            drop_database()
            redis_client().flushdb()
        except Exception as error:  # the cleanup must not hide the run's own failure
            print(f"bench: cleaning up failed: {error!r}", file=sys.stderr)
        if failed or options.keep:
            print(f"bench: logs kept in {scratch}", file=sys.stderr)
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    if failed:
        return 1
    report.elapsed_s = (datetime.now(UTC) - report.started).total_seconds()
    generated = render(report)
    write_doc(options.doc, generated)
    print()
    print(generated)
    print(f"bench: results written to {options.doc}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
