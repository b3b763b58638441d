"""Deploy benchmarks: `pulumi up` against `docker compose up`, in one run on one machine.

    .venv/bin/python bench/bench_deploy.py [--runs 3]

Measures, with medians of --runs:
- cold up (bootstrap excluded): a new throwaway stack from nothing to healthy, then
  destroyed; and docker-compose's `up -d --build` of bench/compose/ to healthy, then down;
- no-op up: `pulumi up` with nothing changed, and `docker-compose up -d` likewise;
- a redeploy after an app-code change, probed at a constant 50 req/s on /health with
  vegeta: its duration and how many probe requests failed.

Both sides build the same app/ with the same warm layer cache. Figures go in the
README; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import docker
import requests

from bootstrap.base_image import configured_base
from bootstrap.settings import tools_bin
from tests.deployment import copy_tickets, create_throwaway, teardown

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_DIR = ROOT / "bench" / "compose"
COMPOSE_PORT = 3190
VEGETA = tools_bin() / "vegeta"
PROBE_RATE = 50


def timed(action: Callable[[], object]) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started


def median_of(runs: int, measure: Callable[[], float], label: str) -> dict[str, float]:
    times = []
    for number in range(runs):
        times.append(measure())
        print(f"  {label} run {number + 1}/{runs}: {times[-1]:.2f}s", flush=True)
    return {"min": min(times), "median": statistics.median(times), "max": max(times)}


# --- Pulumi --------------------------------------------------------------------------


def pulumi_cold(workdir: Path) -> float:
    stack = create_throwaway(workdir, {"protectData": "false"}, prefix="bench")
    stack.log = lambda _line: None
    try:
        return timed(stack.up)
    finally:
        teardown(stack)


def pulumi_noop_and_redeploy(workdir: Path, runs: int) -> dict[str, object]:
    stack = create_throwaway(workdir, {"protectData": "false"}, prefix="bench")
    stack.log = lambda _line: None
    try:
        stack.up()
        noop = median_of(runs, lambda: timed(stack.up), "pulumi no-op up")
        changes = stack.up().summary.resource_changes
        redeploys = [_probed_redeploy(stack, number) for number in range(runs)]
        return {"noop_up": noop, "noop_changes": changes, "redeploy": _summarise(redeploys)}
    finally:
        teardown(stack)


def _probed_redeploy(stack, number: int) -> dict[str, float]:
    marker = stack.project_dir / "app" / "dashboard" / "__init__.py"
    marker.write_text(marker.read_text() + f"\n# bench redeploy {number}\n")
    target = f"GET {stack.outputs['url']}/health\n"
    with probe(target) as report:
        duration = timed(stack.up)
    result = {"seconds": duration, **report}
    print(
        f"  redeploy {number + 1}: {duration:.2f}s, {result['failed']}/{result['requests']} failed"
    )
    return result


def _summarise(runs: list[dict[str, float]]) -> dict[str, object]:
    return {
        "seconds_median": statistics.median(r["seconds"] for r in runs),
        "failed": [int(r["failed"]) for r in runs],
        "requests": [int(r["requests"]) for r in runs],
    }


class probe:  # noqa: N801 - used as a context manager, reads like a statement
    """vegeta at a constant rate for as long as the block runs; the report fills on exit:
    requests, failed (anything but a 200, transport errors included), p50/p99/max ms."""

    def __init__(self, target: str, rate: int = PROBE_RATE) -> None:
        self.target = target
        self.rate = rate
        self.report: dict[str, float] = {}

    def __enter__(self) -> dict[str, float]:
        self.targets = tempfile.NamedTemporaryFile("w", suffix=".targets")  # noqa: SIM115
        self.targets.write(self.target)
        self.targets.flush()
        attack = [str(VEGETA), "attack", f"-rate={self.rate}/s", "-timeout=5s", "-duration=0"]
        self.process = subprocess.Popen(
            [*attack, f"-targets={self.targets.name}"], stdout=subprocess.PIPE
        )
        time.sleep(1)  # a second of steady state before the change
        return self.report

    def __exit__(self, *_exc: object) -> None:
        time.sleep(1)
        self.process.send_signal(signal.SIGINT)  # vegeta writes its last results, then exits
        results, _ = self.process.communicate()
        self.targets.close()
        summary = subprocess.run(
            [str(VEGETA), "report", "-type=json"], input=results, capture_output=True, check=True
        )
        document = json.loads(summary.stdout)
        codes = document.get("status_codes", {})
        latencies = document["latencies"]
        self.report["requests"] = document["requests"]
        self.report["failed"] = document["requests"] - codes.get("200", 0)
        for name, key in (("p50_ms", "50th"), ("p99_ms", "99th"), ("max_ms", "max")):
            self.report[name] = round(latencies[key] / 1e6, 1)


# --- docker compose --------------------------------------------------------------------


def compose(*args: str, env: dict[str, str]) -> None:
    subprocess.run(
        ["docker-compose", "-p", "tdbench", *args],
        cwd=COMPOSE_DIR,
        env=env,
        check=True,
        capture_output=True,
    )


def compose_up_healthy(env: dict[str, str]) -> None:
    compose("up", "-d", "--build", env=env)
    wait_healthy("tdbench_dashboard_1")


def wait_healthy(name: str, timeout: float = 120) -> None:
    client = docker.from_env()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.api.inspect_container(name)["State"]
        if state.get("Health", {}).get("Status") == "healthy":
            requests.get(f"http://127.0.0.1:{COMPOSE_PORT}/health", timeout=2).raise_for_status()
            return
        time.sleep(0.1)
    raise TimeoutError(f"{name} not healthy in {timeout}s")


def compose_figures(workdir: Path, runs: int) -> dict[str, object]:
    tickets = copy_tickets(workdir / "compose-tickets")
    env = {
        "TICKETS_DIR": str(tickets),
        "HOST_PORT": str(COMPOSE_PORT),
        "BASE_IMAGE": configured_base(ROOT / "Pulumi.dev.yaml"),
        "PATH": os.environ["PATH"],
    }

    def cold() -> float:
        try:
            return timed(lambda: compose_up_healthy(env))
        finally:
            compose("down", "-v", env=env)

    figures: dict[str, object] = {"cold_up": median_of(runs, cold, "compose cold up")}
    compose_up_healthy(env)
    try:
        noop = median_of(runs, lambda: timed(lambda: compose_up_healthy(env)), "compose no-op")
        figures["noop_up"] = noop
    finally:
        compose("down", "-v", env=env)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for tool in ("docker-compose", str(VEGETA)):
        if shutil.which(tool) is None:
            raise SystemExit(f"bench_deploy: {tool} is missing; run: make bench (installs it)")
    with tempfile.TemporaryDirectory(prefix="bench-deploy-") as temp:
        workdir = Path(temp)
        print("pulumi cold up (new stack -> healthy, then destroy) ...", flush=True)
        cold_dirs = iter(workdir / f"cold-{n}" for n in range(args.runs))
        pulumi = {"cold_up": median_of(args.runs, lambda: pulumi_cold(next(cold_dirs)), "pulumi")}
        print("pulumi no-op up and probed redeploys ...", flush=True)
        pulumi.update(pulumi_noop_and_redeploy(workdir / "warm", args.runs))
        print("docker-compose cold and no-op up ...", flush=True)
        composed = compose_figures(workdir, args.runs)
    ratio = pulumi["cold_up"]["median"] / composed["cold_up"]["median"]
    result = {"pulumi": pulumi, "compose": composed, "cold_ratio_pulumi_over_compose": ratio}
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
