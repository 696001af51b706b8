"""The original service's load test, and a saturation variant, for Locust.

The club's Django service was measured with 80 clients reading user profiles and team detail
pages every 1.5-2 s. ``OriginalUser`` is that client; ``SaturationUser`` asks again as soon as
it has an answer. The ids come from the seed file ``bench/seed.py`` wrote (``WAP_BENCH_SEED``,
default ``bench/seed.json``). Name the user class on the command line:

    WAP_BENCH_SEED=seed.json .venv/bin/locust -f bench/locustfile.py --headless \\
        --users 80 --spawn-rate 80 --run-time 60s --host http://127.0.0.1:8000 OriginalUser

Requests are anonymous, so each team page counts one view per team and day for the client's
address (127.0.0.1), as the original's readers did. Each client's first request comes after a
random pause of up to 2 s, as if it had been reading for a while: 80 clients started together
would otherwise send their first 80 requests at the same instant, a burst the scenario (a
steady 80 readers) does not have and which would dominate its p99.

With ``WAP_BENCH_SAMPLES=FILE`` every response time is also written to FILE as JSON at the end
(Locust's own percentiles are rounded to whole milliseconds): ``bench/run`` reads it.
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path
from typing import Any

from locust import FastHttpUser, between, constant, events, task
from locust.env import Environment

SEED_FILE = Path(os.environ.get("WAP_BENCH_SEED", Path(__file__).with_name("seed.json")))
SAMPLES_FILE = os.environ.get("WAP_BENCH_SAMPLES")


def _load_ids() -> tuple[list[int], list[int]]:
    try:
        seeded = json.loads(SEED_FILE.read_text())
    except FileNotFoundError:
        raise SystemExit(
            f"locustfile: no seed file at {SEED_FILE}; run bench/seed.py --out FILE and set "
            "WAP_BENCH_SEED=FILE"
        ) from None
    return [int(i) for i in seeded["member_ids"]], [int(i) for i in seeded["team_ids"]]


MEMBER_IDS, TEAM_IDS = _load_ids()


class _Samples:
    """Every request's name, response time (ms, unrounded) and outcome, and the test's span."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, float, bool]] = []
        self.started = self.stopped = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "started": self.started,
            "stopped": self.stopped,
            "requests": [{"name": n, "ms": ms, "ok": ok} for n, ms, ok in self.requests],
        }


SAMPLES = _Samples()


def _started(environment: Environment, **_: Any) -> None:
    SAMPLES.started = time.time()


def _request(name: str, response_time: float, exception: BaseException | None, **_: Any) -> None:
    SAMPLES.requests.append((name, response_time, exception is None))


def _stopped(environment: Environment, **_: Any) -> None:
    SAMPLES.stopped = time.time()
    Path(str(SAMPLES_FILE)).write_text(json.dumps(SAMPLES.to_json()))


if SAMPLES_FILE:
    events.test_start.add_listener(_started)  # type: ignore[no-untyped-call]
    events.request.add_listener(_request)  # type: ignore[no-untyped-call]
    events.test_stop.add_listener(_stopped)  # type: ignore[no-untyped-call]


class _Reader(FastHttpUser):
    """Reads a random seeded profile or team page; one or the other, evenly."""

    abstract = True

    @task
    def profile(self) -> None:
        self.client.get(f"/api/v1/members/{random.choice(MEMBER_IDS)}", name="/api/v1/members/{id}")

    @task
    def team_detail(self) -> None:
        self.client.get(f"/api/v1/teams/{random.choice(TEAM_IDS)}", name="/api/v1/teams/{id}")


class OriginalUser(_Reader):
    """The original scenario: run 80 of them, headless, for 60 s."""

    wait_time = between(1.5, 2)

    def on_start(self) -> None:
        time.sleep(random.uniform(0, 2))  # Locust patches time.sleep for gevent


class SaturationUser(_Reader):
    """No think time: as many requests as the clients can send."""

    wait_time = constant(0)


class FloorUser(FastHttpUser):
    """The original scenario's pace against the floor app (bench/floor.py): what a request
    costs on this machine at that rate before any service work."""

    wait_time = between(1.5, 2)

    def on_start(self) -> None:
        time.sleep(random.uniform(0, 2))

    @task
    def floor(self) -> None:
        self.client.get("/floor")
