"""SIGTERM drains before it stops: /ready fails at once, the rest is served, then exit 0."""

from __future__ import annotations

import multiprocessing
import signal
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dashboard.runtime.draining import DrainFlag
from dashboard.server import GRACEFUL_TIMEOUT_SECONDS, stop_bound_seconds
from dashboard.settings import Settings
from tests.app.ticket_helpers import (
    TicketTree,
    dashboard_env,
    free_port,
    http_status,
    start_dashboard_process,
    wait_until,
)

DRAIN_SECONDS = 2.0
READY_FAILS_WITHIN_SECONDS = 0.2


def _exit_when_set(flag: DrainFlag) -> None:
    raise SystemExit(0 if wait_until(flag.is_set, timeout=5, step=0.01) else 1)


def test_a_flag_set_after_fork_is_seen_by_the_forked_process():
    flag = DrainFlag()
    worker = multiprocessing.get_context("fork").Process(target=_exit_when_set, args=(flag,))
    worker.start()

    flag.set()  # in the arbiter, after the worker was forked
    worker.join(10)

    assert worker.exitcode == 0


def test_the_stop_bound_is_drain_plus_graceful_timeout_plus_a_margin(clean_env: None):
    settings = Settings(drain_seconds=4)

    assert 4 + GRACEFUL_TIMEOUT_SECONDS < stop_bound_seconds(settings) <= 4 + 5 + 1


@pytest.fixture
def start_server(
    ticket_tree: TicketTree, tmp_path: Path
) -> Iterator[Callable[[float], tuple[subprocess.Popen, str]]]:
    """`python -m dashboard` with DASHBOARD_DRAIN_SECONDS, ready: the process and its URL."""
    processes: list[subprocess.Popen] = []

    def start(drain_seconds: float) -> tuple[subprocess.Popen, str]:
        port = free_port()
        (tmp_path / "data").mkdir(exist_ok=True)
        env = dashboard_env(ticket_tree, tmp_path, port, DASHBOARD_DRAIN_SECONDS=str(drain_seconds))
        processes.append(start_dashboard_process(env))
        url = f"http://127.0.0.1:{port}"
        assert wait_until(lambda: http_status(f"{url}/ready") == 200, 20), "never ready"
        return processes[-1], url

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.timeout(60)
def test_sigterm_fails_ready_at_once_serves_through_the_drain_then_exits_0(start_server):
    process, url = start_server(DRAIN_SECONDS)
    events = urllib.request.urlopen(f"{url}/api/events", timeout=20)
    assert events.readline().startswith(b"retry:")  # a live stream is open

    process.send_signal(signal.SIGTERM)
    sent = time.monotonic()
    ready_failed = wait_until(
        lambda: http_status(f"{url}/ready") == 503, timeout=READY_FAILS_WITHIN_SECONDS, step=0.01
    )
    ready_failed_after = time.monotonic() - sent
    served = []
    while time.monotonic() - sent < DRAIN_SECONDS - 0.3:
        served.append(http_status(f"{url}/api/tickets"))
    code = process.wait(timeout=DRAIN_SECONDS + GRACEFUL_TIMEOUT_SECONDS + 5)
    stopped_after = time.monotonic() - sent

    assert ready_failed, f"/ready still not 503 {ready_failed_after:.2f} s after SIGTERM"
    assert served and set(served) == {200}
    assert code == 0
    assert DRAIN_SECONDS <= stopped_after <= DRAIN_SECONDS + GRACEFUL_TIMEOUT_SECONDS + 1
    assert events.read() is not None  # the stream was ended by the server


@pytest.mark.timeout(60)
def test_a_second_sigterm_ends_the_drain(start_server):
    process, url = start_server(30)
    process.send_signal(signal.SIGTERM)
    assert wait_until(lambda: http_status(f"{url}/ready") == 503, timeout=5, step=0.01)

    process.send_signal(signal.SIGTERM)
    sent = time.monotonic()
    code = process.wait(timeout=GRACEFUL_TIMEOUT_SECONDS + 5)

    assert code == 0
    assert time.monotonic() - sent <= GRACEFUL_TIMEOUT_SECONDS + 1
