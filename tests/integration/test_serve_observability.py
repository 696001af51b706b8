"""The processes as an operator runs them: JSON log lines (stderr is not a terminal) from
`wap serve`, `wap worker` and `wap scheduler`, the serve lines carrying the response's
X-Request-ID and nothing raw from a request, and with ``--workers 2`` one scrape that sums
both workers' counters."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.integration.conftest import REDIS_URL
from tests.integration.http.conftest import SECRET, free_port

WAP = [sys.executable, "-m", "wap.entrypoints.cli"]
TOKEN = "metrics-token-" + "s" * 20


class Server:
    def __init__(self, process: subprocess.Popen[bytes], url: str, log: Path) -> None:
        self.process, self.url, self.log = process, url, log

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        return self.output()


def serve(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Server:
    """The embedded default (SQLite in ``tmp_path``) on a free loopback port."""
    port = free_port()
    log = tmp_path / "serve.log"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("WAP_", "PROMETHEUS_"))}
    process = subprocess.Popen(
        [*WAP, "serve", "--port", str(port), *args],
        cwd=tmp_path,
        env=clean | {"WAP_METRICS_TOKEN": TOKEN} | (env or {}),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    for _ in range(600):
        try:
            if httpx.get(f"{server.url}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.05)
    server.stop()
    raise AssertionError(f"wap serve did not start: {server.output()}")


@pytest.fixture
def one_worker(tmp_path: Path) -> Iterator[Server]:
    server = serve(tmp_path, "--access-log")
    yield server
    server.stop()


def test_log_lines_are_json_and_carry_the_request_id_of_the_response(one_worker: Server) -> None:
    with httpx.Client(base_url=one_worker.url) as client:
        ok = client.get("/api/v1/catalog")
        forged = client.get("/healthz", headers={"X-Request-ID": "chosen-by-the-client"})
        # A path full of control characters and a bidi override (URL-encoded on the wire).
        nasty = client.get("/api/v1/teams/%0A%0D%1B%5B31m%E2%80%AEfake%0Aline%00")
    assert ok.status_code == 200 and nasty.status_code in (400, 404)
    ids = [r.headers["x-request-id"] for r in (ok, forged, nasty)]
    assert len(set(ids)) == 3
    # The peer is not a trusted proxy: its choice of id is replaced.
    assert ids[1] != "chosen-by-the-client"

    text = one_worker.stop()
    lines = [line for line in text.splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all({"time", "level", "logger", "message"} <= r.keys() for r in records)
    access = {r["request_id"]: r for r in records if r["logger"] == "uvicorn.access"}
    for request_id, response in zip(ids, (ok, forged, nasty), strict=True):
        assert access[request_id]["status"] == response.status_code
    assert access[ids[0]]["path"] == "/api/v1/catalog"
    # Nothing from the request reaches the log raw: no control or bidi characters at all.
    assert not any(ch in text for ch in "\r\x1b\x00\u202e")
    assert len(lines) == len(records)


def test_with_two_workers_any_scrape_sums_both_workers(tmp_path: Path) -> None:
    server = serve(tmp_path, "--workers", "2")
    try:
        requests = 40
        for _ in range(requests):  # a new connection each time: both workers take some
            assert httpx.get(f"{server.url}/api/v1/catalog", timeout=10).status_code == 200
        seen = []
        for _ in range(6):
            response = httpx.get(
                f"{server.url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
            )
            assert response.status_code == 200, response.text
            total = 0.0
            for family in text_string_to_metric_families(response.text):
                for sample in family.samples:
                    if (
                        sample.name == "wap_requests_total"
                        and sample.labels.get("path") == "/api/v1/catalog"
                    ):
                        total += sample.value
            seen.append(total)
        assert seen == [requests] * 6, seen
    finally:
        output = server.stop()
    assert "Traceback" not in output, output


@pytest.mark.parametrize("command", ["worker", "scheduler"])
def test_worker_and_scheduler_log_json_lines(tmp_path: Path, command: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAP_")} | {
        "WAP_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'wap.db'}",
        "WAP_REDIS_URL": REDIS_URL,
        "WAP_SECRET_KEY": SECRET,
    }
    log = tmp_path / f"{command}.log"
    process = subprocess.Popen(
        [*WAP, command], cwd=tmp_path, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    try:
        for _ in range(400):
            if f"{command} started" in log.read_text(errors="replace"):
                break
            assert process.poll() is None, log.read_text(errors="replace")
            time.sleep(0.05)
    finally:
        # (A worker stopped this soon after its start sometimes spins in taskiq's
        # cancellation instead of exiting; that is not what this test is about.)
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    records = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    messages = [(r["logger"], r["message"]) for r in records]
    assert ("wap.worker", f"{command} started") in messages
