"""Measure the dashboard against a real `python -m dashboard` (gunicorn) on loopback.

    .venv/bin/python bench/bench_app.py [--tickets 10000] [--json-only]

Figures: cold index time (10k tickets, in-process scan and the server's own first sync),
/health p50/p99 at 50 concurrent keep-alive connections, /api/tickets?limit=50 p50,
file edit -> SSE event p95 over 20 edits, and RSS of a server holding 1,000 tickets.
Prints one JSON object, then a table. Then, unless --no-limits, bench_app_limits.py: the
image under the stack's CPU and memory limits (start-up, capacity, overload).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "app"))
sys.path.insert(0, str(REPO_ROOT / "bench"))

from generate_tickets import generate, ticket_text  # noqa: E402

from dashboard.tickets.index import TicketIndex  # noqa: E402
from dashboard.tickets.scan import scan_tree  # noqa: E402

HOST = "127.0.0.1"
CONCURRENCY = 50
HEALTH_REQUESTS_PER_CONNECTION = 100  # 5,000 requests in all
LIST_REQUESTS = 200
SSE_EDITS = 20


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextmanager
def dashboard_server(root: Path, work: Path) -> Iterator[tuple[int, psutil.Process]]:
    """`python -m dashboard` on a free loopback port; stopped with SIGTERM afterwards."""
    port = free_port()
    (work / "data").mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DASHBOARD_")}
    env.update(
        PYTHONPATH=str(REPO_ROOT / "app"),
        DASHBOARD_TICKETS_DIR=str(root),
        DASHBOARD_DATA_DIR=str(work / "data"),
        DASHBOARD_BACKUP_DIR=str(work / "backups"),
        DASHBOARD_HOST=HOST,
        DASHBOARD_PORT=str(port),
        DASHBOARD_LOG_LEVEL="WARNING",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "dashboard"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(port, "/health")
        wait_for(port, "/ready")  # /health answers while the first scan still runs
        yield port, psutil.Process(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=15)


def wait_for(port: int, path: str, timeout: float = 60) -> None:
    """Until GET `path` answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if get_json(port, path)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"the dashboard did not answer {path} with 200 in time")


def get_json(port: int, path: str) -> tuple[int, Any]:
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def timed_requests(port: int, path: str, count: int) -> list[float]:
    """`count` GETs on one keep-alive connection; latency of each, in seconds."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    latencies = []
    try:
        for _ in range(count):
            started = time.perf_counter()
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            latencies.append(time.perf_counter() - started)
            if response.status != 200:
                raise RuntimeError(f"{path} answered {response.status}")
    finally:
        connection.close()
    return latencies


def bench_cold_index(root: Path) -> dict[str, float]:
    started = time.perf_counter()
    entries = scan_tree(root)
    TicketIndex().replace_all(entries)
    return {"cold_index_seconds": round(time.perf_counter() - started, 3), "files": len(entries)}


def bench_health(port: int) -> dict[str, float]:
    started = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        batches = pool.map(
            lambda _: timed_requests(port, "/health", HEALTH_REQUESTS_PER_CONNECTION),
            range(CONCURRENCY),
        )
        latencies = [latency for batch in batches for latency in batch]
    elapsed = time.perf_counter() - started
    return {
        "health_requests": len(latencies),
        "health_p50_ms": ms(percentile(latencies, 0.50)),
        "health_p99_ms": ms(percentile(latencies, 0.99)),
        "health_requests_per_second": round(len(latencies) / elapsed),
    }


WRK_LATENCY = re.compile(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
WRK_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def bench_health_wrk(port: int) -> dict[str, float]:
    """The same 50 connections from wrk (Debian's C load generator), so the client does
    not fight the server for the GIL as the Python client above does. 10 s, bounded."""
    if shutil.which("wrk") is None:
        return {"health_wrk": "wrk not installed (apt-get install wrk)"}
    url = f"http://127.0.0.1:{port}/health"
    command = ["wrk", "-t2", f"-c{CONCURRENCY}", "-d10s", "--latency", url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    found = {
        pct: float(value) * WRK_UNITS[unit] for pct, value, unit in WRK_LATENCY.findall(output)
    }
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    return {
        "health_wrk_p50_ms": round(found["50"], 2),
        "health_wrk_p99_ms": round(found["99"], 2),
        "health_wrk_requests_per_second": round(float(rate.group(1))) if rate else None,
    }


def bench_list(port: int) -> dict[str, float]:
    latencies = timed_requests(port, "/api/tickets?limit=50", LIST_REQUESTS)
    return {"list_limit50_p50_ms": ms(percentile(latencies, 0.50))}


class EventReader(threading.Thread):
    """Reads /api/events and records when each ticket id's event arrived."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.connection = http.client.HTTPConnection(HOST, port, timeout=30)
        self.seen: dict[str, float] = {}
        self.ready = threading.Event()
        self.lock = threading.Lock()

    def run(self) -> None:
        self.connection.request("GET", "/api/events")
        response = self.connection.getresponse()
        self.ready.set()
        for raw in response:
            line = raw.decode().strip()
            if line.startswith("data: "):
                data = json.loads(line.removeprefix("data: "))
                with self.lock:
                    self.seen.setdefault(str(data.get("id")), time.perf_counter())

    def arrival(self, ticket_id: str) -> float | None:
        with self.lock:
            return self.seen.get(ticket_id)


def bench_edit_to_event(port: int, root: Path) -> dict[str, float]:
    import random

    reader = EventReader(port)
    reader.start()
    reader.ready.wait(10)
    time.sleep(0.2)
    rng, latencies = random.Random(7), []
    for number in range(1, SSE_EDITS + 1):
        path = root / "planning" / "tickets" / "backend" / f"EDIT-{number}.md"
        text = ticket_text(number, rng).replace(f"BENCH-{number}", f"EDIT-{number}")
        started = time.perf_counter()
        path.write_text(text)
        deadline = time.monotonic() + 5
        while (arrived := reader.arrival(f"EDIT-{number}")) is None and time.monotonic() < deadline:
            time.sleep(0.001)
        if arrived is None:
            raise RuntimeError(f"no event for EDIT-{number}")
        latencies.append(arrived - started)
        time.sleep(0.05)
    return {
        "edit_to_sse_p50_ms": ms(percentile(latencies, 0.50)),
        "edit_to_sse_p95_ms": ms(percentile(latencies, 0.95)),
    }


def bench_rss(work: Path, count: int) -> dict[str, float]:
    root = work / f"tree-{count}"
    generate(root, count)
    with dashboard_server(root, work / f"server-{count}") as (port, master):
        worker_rss = get_json(port, "/api/metrics")[1]["rss_bytes"]
        total = master.memory_info().rss + sum(c.memory_info().rss for c in master.children())
    return {
        f"rss_worker_mib_{count}": round(worker_rss / 2**20, 1),
        f"rss_master_plus_worker_mib_{count}": round(total / 2**20, 1),
    }


def machine() -> dict[str, Any]:
    return {
        "nproc": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "cpu": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def run(count: int) -> dict[str, Any]:
    results: dict[str, Any] = {"machine": machine(), "tickets": count}
    with tempfile.TemporaryDirectory(prefix="dashboard-bench-") as temp:
        work = Path(temp)
        root = work / "tree"
        generate(root, count)
        results.update(bench_cold_index(root))
        with dashboard_server(root, work / "server") as (port, _):
            status = get_json(port, "/api/status")[1]
            results["server_first_sync_seconds"] = status["sync"]["duration_seconds"]
            results.update(bench_health(port))
            results.update(bench_health_wrk(port))
            results.update(bench_list(port))
            results.update(bench_edit_to_event(port, root))
            results["rss_worker_mib_at_full_size"] = round(
                get_json(port, "/api/metrics")[1]["rss_bytes"] / 2**20, 1
            )
        results.update(bench_rss(work, 1_000))
    return results


def table(results: dict[str, Any]) -> str:
    rows = [(key, value) for key, value in results.items() if key != "machine"]
    rows += [(f"machine.{key}", value) for key, value in results["machine"].items()]
    width = max(len(key) for key, _ in rows)
    return "\n".join(f"{key:<{width}}  {value}" for key, value in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--json-only", action="store_true")
    parser.add_argument(
        "--no-limits", action="store_true", help="skip bench_app_limits (container, CPU limit)"
    )
    args = parser.parse_args()
    results = run(args.tickets)
    print(json.dumps(results, indent=2))
    if not args.json_only:
        print()
        print(table(results))
    if not args.no_limits:
        # `make bench` runs this file: the figures under the stack's limits come along.
        import bench_app_limits

        limits = bench_app_limits.run(args.tickets, runs=3, env={})
        print(json.dumps(limits, indent=2))
        if not args.json_only:
            print()
            print(bench_app_limits.table(limits))


if __name__ == "__main__":
    main()
