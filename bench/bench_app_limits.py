"""The dashboard's container under the stack's CPU and memory limits: start-up, capacity, overload.

    .venv/bin/python bench/bench_app_limits.py [--tickets 10000] [--runs 3] [--json-only]
        [--env DASHBOARD_THREADS=8 ...]

Builds the image from app/ (tag td-bench-app) and runs it the way the dev stack does: uid
1001, read-only root, tmpfs /tmp and /data, the generated ticket tree mounted read-only at
/tickets, and the stack's cpuLimit and memoryLimit (Pulumi.dev.yaml). Load comes from
vegeta at a constant rate (open loop) on the published port, as users reach it.

- start-up, median of --runs starts: container start -> first /health 200, -> first
  /ready 200, and the first full scan's own duration (/api/status)
- capacity: /api/tickets?limit=50 at rising rates, 10 s each; the capacity is the highest
  rate at which every answer is a 200 and p99 <= 100 ms
- overload: 4x the capacity for 20 s: answers by status, the share that got a 200 or a 503
  within 1 s, the slowest, the port proxy's most open files, and when the service was back
  (from then on, 20 probes 0.1 s apart all 200 within 100 ms)

Prints one JSON object, then a table. Nothing is asserted; figures go in the README. The
container and image are removed afterwards.
"""

from __future__ import annotations

import argparse
import http.client
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import docker
import psutil
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "infra"))

from generate_tickets import generate  # noqa: E402

from bootstrap.base_image import configured_base  # noqa: E402
from bootstrap.settings import tools_bin  # noqa: E402
from ticket_dashboard.units import parse_memory_bytes  # noqa: E402

TAG = "td-bench-app"
HOST = "127.0.0.1"
LIST_PATH = "/api/tickets?limit=50"
CAPACITY_RATES = (200, 300, 400, 500, 600, 800)
CAPACITY_SECONDS = 10
CAPACITY_P99_MS = 100
OVERLOAD_FACTOR = 4
OVERLOAD_SECONDS = 20
ANSWER_WITHIN_S = 1.0
BACK_STREAK = 20


def stack_config() -> dict[str, Any]:
    config = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())["config"]
    return {key.split(":", 1)[1]: value for key, value in config.items()}


def vegeta() -> str:
    """The vegeta binary that bootstrap's bench profile builds at its pin."""
    binary = tools_bin() / "vegeta"
    if not binary.exists():
        sys.exit(f"bench: {binary} is missing; run: python3 -m bootstrap --profile bench")
    return str(binary)


def build_image(client: docker.DockerClient) -> None:
    base = configured_base(ROOT / "Pulumi.dev.yaml")
    client.images.build(path=str(ROOT / "app"), tag=TAG, rm=True, buildargs={"BASE_IMAGE": base})


@contextmanager
def dashboard(
    client: docker.DockerClient, tree: Path, env: dict[str, str]
) -> Iterator[tuple[Any, int]]:
    """The container with the stack's limits; yields it and its published port."""
    config = stack_config()
    memory = parse_memory_bytes(str(config.get("memoryLimit", "512Mi")))
    container = client.containers.run(
        TAG,
        detach=True,
        user="1001:1001",
        read_only=True,
        cap_drop=["ALL"],
        nano_cpus=int(float(config.get("cpuLimit", 0.5)) * 1e9),
        mem_limit=memory,
        memswap_limit=memory,
        tmpfs={"/tmp": "rw", "/data": "rw,uid=1001,gid=1001", "/backups": "rw,uid=1001"},
        volumes={str(tree): {"bind": "/tickets", "mode": "ro"}},
        ports={"8000/tcp": (HOST, None)},
        environment=env,
    )
    try:
        container.reload()
        port = int(container.ports["8000/tcp"][0]["HostPort"])
        yield container, port
    finally:
        container.remove(force=True)


def get(port: int, path: str, timeout: float = 2.0) -> tuple[int | None, Any]:
    try:
        connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        connection.close()
    except OSError:
        return None, None
    try:
        return response.status, json.loads(body)
    except ValueError:
        return response.status, None


def started_at(container: Any) -> float:
    container.reload()
    stamp = container.attrs["State"]["StartedAt"]  # RFC 3339 with nanoseconds
    whole, _, fraction = stamp.rstrip("Z").partition(".")
    return datetime.fromisoformat(whole + "+00:00").timestamp() + float(f"0.{fraction or 0}")


def bench_start(client: docker.DockerClient, tree: Path, env: dict[str, str]) -> dict[str, float]:
    """Seconds from container start to /health 200, to /ready 200, and the scan's own time."""
    with dashboard(client, tree, env) as (container, port):
        health = ready = None
        deadline = time.time() + 120
        while ready is None and time.time() < deadline:
            if health is None and get(port, "/health", 0.5)[0] == 200:
                health = time.time()
            if health is not None and get(port, "/ready", 0.5)[0] == 200:
                ready = time.time()
            time.sleep(0.02)
        start = started_at(container)
        sync = get(port, "/api/status")[1]["sync"]["duration_seconds"]
    if health is None or ready is None:
        raise RuntimeError("the dashboard did not become ready within 120 s")
    return {"health": health - start, "ready": ready - start, "first_scan": sync}


def attack(port: int, rate: int, seconds: int) -> list[tuple[int, float]]:
    """(status, latency in s) of every request of a constant-rate run; status 0 = no answer."""
    target = f"GET http://{HOST}:{port}{LIST_PATH}\n"
    binary = vegeta()
    command = [binary, "attack", f"-rate={rate}/s", f"-duration={seconds}s", "-timeout=10s"]
    attack_run = subprocess.run(command, input=target.encode(), capture_output=True, check=True)
    encoded = subprocess.run(
        [binary, "encode", "--to", "csv"], input=attack_run.stdout, capture_output=True, check=True
    )
    rows = (line.split(",") for line in encoded.stdout.decode().splitlines() if line)
    return [(int(row[1]), int(row[2]) / 1e9) for row in rows]


def summary(results: list[tuple[int, float]]) -> dict[str, Any]:
    latencies = sorted(latency for _, latency in results)
    return {
        "requests": len(results),
        "statuses": dict(sorted(Counter(str(status) for status, _ in results).items())),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(latencies[int(0.99 * (len(latencies) - 1))] * 1000, 1),
        "max_ms": round(latencies[-1] * 1000, 1),
    }


def bench_capacity(port: int) -> tuple[int, list[dict[str, Any]]]:
    steps, capacity = [], 0
    for rate in CAPACITY_RATES:
        step = {"rate": rate, **summary(attack(port, rate, CAPACITY_SECONDS))}
        steps.append(step)
        if step["statuses"] != {"200": step["requests"]} or step["p99_ms"] > CAPACITY_P99_MS:
            break
        capacity = rate
    return capacity, steps


class ProxyFiles(threading.Thread):
    """The most files docker's userland port proxy for `port` held open while it ran."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.port, self.most, self.stop = port, 0, threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.5):
            self.most = max(self.most, sum(self._files(p) for p in psutil.process_iter(["name"])))

    def _files(self, process: psutil.Process) -> int:
        try:
            is_proxy = process.info["name"] == "docker-proxy"
            if is_proxy and f"{self.port}" in process.cmdline():
                return process.num_fds()
        except psutil.Error:
            pass
        return 0


def back_after(port: int, load_ended: float) -> float | None:
    """Seconds after the load until a streak of BACK_STREAK quick 200s began."""
    streak_start, streak = None, 0
    while time.time() - load_ended < 30:
        probe_start = time.time()
        status, _ = get(port, LIST_PATH, timeout=1.0)
        quick = status == 200 and time.time() - probe_start <= CAPACITY_P99_MS / 1000
        streak_start = (streak_start or probe_start) if quick else None
        streak = streak + 1 if quick else 0
        if streak >= BACK_STREAK and streak_start is not None:
            return round(streak_start - load_ended, 2)
        time.sleep(0.1)
    return None


def bench_overload(port: int, rate: int) -> dict[str, Any]:
    proxy = ProxyFiles(port)
    proxy.start()
    results = attack(port, rate, OVERLOAD_SECONDS)
    ended = time.time()
    proxy.stop.set()
    answered = sum(1 for s, t in results if s in (200, 503) and t <= ANSWER_WITHIN_S)
    return {
        "rate": rate,
        "seconds": OVERLOAD_SECONDS,
        **summary(results),
        "answered_200_or_503_within_1s_percent": round(100 * answered / len(results), 2),
        "proxy_most_open_files": proxy.most,
        "back_after_seconds": back_after(port, ended),
    }


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: round(statistics.median(run[key] for run in runs), 2) for key in runs[0]}


def run(count: int, runs: int, env: dict[str, str]) -> dict[str, Any]:
    client = docker.from_env()
    config = stack_config()
    results: dict[str, Any] = {
        "tickets": count,
        "cpu_limit": config.get("cpuLimit"),
        "memory_limit": config.get("memoryLimit"),
        "env": env,
    }
    build_image(client)
    try:
        with tempfile.TemporaryDirectory(prefix="dashboard-bench-limits-") as temp:
            tree = Path(temp) / "tree"
            generate(tree, count)
            starts = [bench_start(client, tree, env) for _ in range(runs)]
            results["start_median_seconds"] = median_of(starts)
            results["start_runs"] = starts
            with dashboard(client, tree, env) as (_, port):
                deadline = time.time() + 120
                while get(port, "/ready")[0] != 200 and time.time() < deadline:
                    time.sleep(0.2)
                capacity, steps = bench_capacity(port)
                results["capacity_per_second"] = capacity
                results["capacity_steps"] = steps
                results["overload"] = bench_overload(port, OVERLOAD_FACTOR * max(capacity, 100))
    finally:
        client.images.remove(TAG, force=True)
    return results


def table(results: dict[str, Any]) -> str:
    rows = [(key, value) for key, value in results.items() if not isinstance(value, list | dict)]
    rows += [(f"start.{k}", v) for k, v in results["start_median_seconds"].items()]
    rows += [(f"capacity@{step['rate']}/s", _step_text(step)) for step in results["capacity_steps"]]
    rows += [(f"overload.{k}", v) for k, v in results["overload"].items()]
    width = max(len(key) for key, _ in rows)
    return "\n".join(f"{key:<{width}}  {value}" for key, value in rows)


def _step_text(step: dict[str, Any]) -> str:
    return f"p50 {step['p50_ms']} ms, p99 {step['p99_ms']} ms, statuses {step['statuses']}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3, help="start-up runs (median)")
    parser.add_argument("--json-only", action="store_true")
    parser.add_argument("--env", action="append", default=[], help="KEY=VALUE for the container")
    args = parser.parse_args()
    if shutil.which("docker") is None and not Path("/var/run/docker.sock").exists():
        sys.exit("bench: no Docker engine; run make bootstrap first")
    results = run(args.tickets, args.runs, dict(item.split("=", 1) for item in args.env))
    print(json.dumps(results, indent=2))
    if not args.json_only:
        print()
        print(table(results))


if __name__ == "__main__":
    main()
