"""Image benchmarks: build time (cold and cached), size, and start-to-healthy time.

    .venv/bin/python bench/bench_image.py [--runs 3]

Runs against the local Docker engine with the dev stack's base image; prints a
JSON result and a table. Figures go in the README; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

import docker

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bootstrap.base_image import configured_base  # noqa: E402


def base_image() -> str:
    return configured_base(ROOT / "Pulumi.dev.yaml")


def timed_build(client: docker.DockerClient, tag: str, nocache: bool) -> float:
    started = time.monotonic()
    client.images.build(
        path=str(ROOT / "app"),
        tag=tag,
        rm=True,
        forcerm=True,
        nocache=nocache,
        buildargs={"BASE_IMAGE": base_image()},
    )
    return time.monotonic() - started


def time_to_healthy(client: docker.DockerClient, tag: str) -> float:
    tickets = ROOT / "samples" / "tickets"
    started = time.monotonic()
    container = client.containers.run(
        tag,
        detach=True,
        user="1001:1001",
        read_only=True,
        cap_drop=["ALL"],
        tmpfs={"/tmp": "rw", "/data": "rw,uid=1001,gid=1001", "/backups": "rw,uid=1001"},
        volumes={str(tickets): {"bind": "/tickets", "mode": "ro"}},
        healthcheck={
            "test": ["CMD", "python", "-m", "dashboard.healthcheck"],
            "interval": 200_000_000,
            "retries": 100,
        },
    )
    try:
        while True:
            container.reload()
            if container.attrs["State"].get("Health", {}).get("Status") == "healthy":
                return time.monotonic() - started
            if time.monotonic() - started > 120:
                raise RuntimeError("container did not become healthy within 120 s")
            time.sleep(0.05)
    finally:
        container.remove(force=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    client = docker.from_env()
    tag = f"ticket-dashboard-bench:{uuid.uuid4().hex[:8]}"
    print(f"image bench: {runs} runs, base {base_image()}, {os.cpu_count()} CPUs", flush=True)
    cold = [timed_build(client, tag, nocache=True) for _ in range(runs)]
    cached = [timed_build(client, tag, nocache=False) for _ in range(runs)]
    healthy = [time_to_healthy(client, tag) for _ in range(runs)]
    result = {
        "build_no_cache_s_median": round(statistics.median(cold), 2),
        "build_cached_s_median": round(statistics.median(cached), 2),
        "start_to_healthy_s_median": round(statistics.median(healthy), 2),
        "image_size_mb": round(client.images.get(tag).attrs["Size"] / 1e6, 1),
        "base_size_mb": round(client.images.get(base_image()).attrs["Size"] / 1e6, 1),
    }
    client.images.remove(tag, force=True)
    print(json.dumps(result, indent=2))
    for key, value in result.items():
        print(f"  {key:28} {value}")


if __name__ == "__main__":
    main()
